import { inject, injectable } from 'inversify';
import type { RequestContext } from '../audit/ports.js';
import { InvalidCode, MfaConflict } from '../../domain/errors.js';
import { mfaEnabled } from '../../domain/events.js';
import { Clock, IdGenerator } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { CodeThrottle, MfaStores, MfaUnitOfWork, RecoveryCodes, SecretBox, Totp } from './ports.js';
import { replaceRecoveryCodes } from './recovery-code-set.js';

/**
 * Switches one-time codes on once a code made from the pending secret proves the app has it. The code's step
 * counts as used, so it cannot also log in. Returns a new set of recovery codes (voiding any older set).
 */
@injectable()
export class ConfirmTotp {
  constructor(
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(Totp) private readonly totp: Totp,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(RecoveryCodes) private readonly codes: RecoveryCodes,
    @inject(CodeThrottle) private readonly throttle: CodeThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; code: string }, context: RequestContext = {}): Promise<{ recoveryCodes: string[] }> {
    const pending = await this.stores.totp.find(input.userId);
    if (!pending || pending.confirmed) throw new MfaConflict('There is no one-time-code enrolment to confirm (POST /mfa/totp first)');
    await this.throttle.begin(input.userId);
    const step = this.totp.matchStep(this.box.open(pending.secretSealed, input.userId), input.code, this.clock.now());
    if (step === undefined) throw new InvalidCode('confirmation', 'code');
    await this.throttle.succeeded(input.userId);
    const recoveryCodes = await this.uow.run(async ({ totp, recoveryCodes, outbox, audit }) => {
      if (!(await totp.confirm(input.userId, step, this.clock.now()))) {
        throw new MfaConflict('The enrolment was confirmed or replaced meanwhile');
      }
      await outbox.add(mfaEnabled(input.userId, 'totp', stamp(this.ids, this.clock)));
      await audit.record({
        type: 'mfa.enrolled',
        outcome: 'success',
        actor: input.userId,
        subjectId: input.userId,
        details: { method: 'totp' },
        context,
      });
      return replaceRecoveryCodes(this.codes, recoveryCodes, input.userId);
    });
    return { recoveryCodes };
  }
}
