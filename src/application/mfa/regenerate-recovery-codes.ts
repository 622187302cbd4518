import { inject, injectable } from 'inversify';
import { MfaConflict } from '../../domain/errors.js';
import { MfaUnitOfWork, RecoveryCodes } from './ports.js';
import { replaceRecoveryCodes } from './recovery-code-set.js';

/** A new set of ten recovery codes; the old set stops working in the same transaction. */
@injectable()
export class RegenerateRecoveryCodes {
  constructor(
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(RecoveryCodes) private readonly codes: RecoveryCodes,
  ) {}

  async execute(input: { userId: string }): Promise<{ recoveryCodes: string[] }> {
    const recoveryCodes = await this.uow.run(async ({ totp, passkeys, recoveryCodes }) => {
      const hasFactor = (await totp.find(input.userId))?.confirmed || (await passkeys.listOf(input.userId)).length > 0;
      if (!hasFactor) throw new MfaConflict('Recovery codes stand in for a second factor: switch one on first');
      return replaceRecoveryCodes(this.codes, recoveryCodes, input.userId);
    });
    return { recoveryCodes };
  }
}
