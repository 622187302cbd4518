import { inject, injectable } from 'inversify';
import { MfaConflict } from '../../domain/errors.js';
import { Clock } from '../ports.js';
import { MfaStores, Passkeys, CHALLENGE_TTL_MS } from './ports.js';

/** WebAuthn options to prove the second factor with one of the user's passkeys (finishing a login, or re-authenticating). */
@injectable()
export class SecondFactorOptions {
  constructor(
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Passkeys) private readonly passkeys: Passkeys,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }): Promise<Record<string, unknown>> {
    const allow = await this.stores.passkeys.listOf(input.userId);
    if (allow.length === 0) throw new MfaConflict('This account has no passkey');
    const { options, challenge } = await this.passkeys.authenticationOptions(allow, 'preferred');
    await this.stores.challenges.issue(challenge, 'second-factor', input.userId, this.clock.now(), CHALLENGE_TTL_MS);
    return options;
  }
}
