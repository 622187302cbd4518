import { inject, injectable } from 'inversify';
import type { RequestContext } from '../audit/ports.js';
import { MfaConflict } from '../../domain/errors.js';
import { mfaDisabled } from '../../domain/events.js';
import { Clock, IdGenerator } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { MfaUnitOfWork } from './ports.js';

/** Switches one-time codes off. Recovery codes go too when no passkey is left: they stand in for a second factor. */
@injectable()
export class DisableTotp {
  constructor(
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }, context: RequestContext = {}): Promise<void> {
    await this.uow.run(async ({ totp, passkeys, recoveryCodes, outbox, audit }) => {
      if (!(await totp.remove(input.userId))) throw new MfaConflict('One-time codes are not on');
      if ((await passkeys.listOf(input.userId)).length === 0) await recoveryCodes.removeAll(input.userId);
      await outbox.add(mfaDisabled(input.userId, 'totp', stamp(this.ids, this.clock)));
      await audit.record({
        type: 'mfa.removed',
        outcome: 'success',
        actor: input.userId,
        subjectId: input.userId,
        details: { method: 'totp' },
        context,
      });
    });
  }
}
