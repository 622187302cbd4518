import { inject, injectable } from 'inversify';
import { MfaStores, type SignInMethod } from './ports.js';

/** Which second factors a user has switched on. */
@injectable()
export class SecondFactors {
  constructor(@inject(MfaStores) private readonly stores: MfaStores) {}

  /** The ways to finish a login: empty when the user has no second factor. Recovery codes count only beside one. */
  async methodsOf(userId: string): Promise<SignInMethod[]> {
    const [totp, passkeys, remaining] = await Promise.all([
      this.stores.totp.find(userId),
      this.stores.passkeys.listOf(userId),
      this.stores.recoveryCodes.remaining(userId),
    ]);
    const methods: SignInMethod[] = [];
    if (totp?.confirmed) methods.push('totp');
    if (passkeys.length > 0) methods.push('webauthn');
    if (methods.length > 0 && remaining > 0) methods.push('recovery-code');
    return methods;
  }

  async status(userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodesRemaining: number }> {
    const [totp, passkeys, remaining] = await Promise.all([
      this.stores.totp.find(userId),
      this.stores.passkeys.listOf(userId),
      this.stores.recoveryCodes.remaining(userId),
    ]);
    return { totp: Boolean(totp?.confirmed), passkeys: passkeys.length, recoveryCodesRemaining: remaining };
  }
}
