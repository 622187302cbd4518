import { inject, injectable } from 'inversify';
import type { RequestContext } from '../audit/ports.js';
import { PasskeyNotFound, UserNotFound } from '../../domain/errors.js';
import { mfaDisabled } from '../../domain/events.js';
import { Clock, IdGenerator } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { MfaStores, MfaUnitOfWork } from './ports.js';
import type { PasskeyView } from './register-passkey.js';

@injectable()
export class ListPasskeys {
  constructor(@inject(MfaStores) private readonly stores: MfaStores) {}

  async execute(input: { userId: string }): Promise<PasskeyView[]> {
    const all = await this.stores.passkeys.listOf(input.userId);
    return all.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt }));
  }
}

/** Deletes one of the caller's passkeys; the last one switches the method off (and the recovery codes, without TOTP). */
@injectable()
export class DeletePasskey {
  constructor(
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; passkeyId: string }, context: RequestContext = {}): Promise<void> {
    await this.uow.run(async ({ users, passkeys, totp, recoveryCodes, outbox, audit }) => {
      if (!(await users.findForUpdate(input.userId))) throw new UserNotFound();
      if (!(await passkeys.remove(input.userId, input.passkeyId))) throw new PasskeyNotFound();
      const details = { method: 'webauthn', passkeyId: input.passkeyId };
      await audit.record({ type: 'mfa.removed', outcome: 'success', actor: input.userId, subjectId: input.userId, details, context });
      if ((await passkeys.listOf(input.userId)).length > 0) return;
      if (!(await totp.find(input.userId))?.confirmed) await recoveryCodes.removeAll(input.userId);
      await outbox.add(mfaDisabled(input.userId, 'webauthn', stamp(this.ids, this.clock)));
    });
  }
}
