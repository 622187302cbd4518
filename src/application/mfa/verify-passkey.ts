import { inject, injectable } from 'inversify';
import { InvalidCode } from '../../domain/errors.js';
import { Clock } from '../ports.js';
import { MfaNotices, MfaStores, Passkeys, type ChallengePurpose, type StoredPasskey } from './ports.js';

/**
 * Checks a passkey assertion against a challenge this service issued (used once, for its purpose and user) and
 * the stored public key, and moves the signature counter forward. A counter that does not move forward (a
 * cloned authenticator) is refused and reported. Returns the passkey used.
 * @throws InvalidCode
 */
@injectable()
export class VerifyPasskey {
  constructor(
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Passkeys) private readonly passkeys: Passkeys,
    @inject(MfaNotices) private readonly notices: MfaNotices,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: {
    response: unknown;
    purpose: ChallengePurpose;
    /** The user who must own the passkey; null for a passwordless login, where the passkey names its user. */
    userId: string | null;
    requireUserVerification: boolean;
  }): Promise<StoredPasskey> {
    const credentialId = this.passkeys.credentialIdOf(input.response);
    const passkey = credentialId === undefined ? undefined : await this.stores.passkeys.findByCredentialId(credentialId);
    if (!passkey || (input.userId !== null && passkey.userId !== input.userId)) throw new InvalidCode();
    const challengeOk = (challenge: string) => this.stores.challenges.consume(challenge, input.purpose, input.userId, this.clock.now());
    const outcome = await this.passkeys.verifyAuthentication(input.response, passkey, challengeOk, input.requireUserVerification);
    if (!outcome.ok) {
      if (outcome.counterWentBack) await this.notices.passkeyCounterWentBack(passkey.userId, passkey.id);
      throw new InvalidCode();
    }
    // Conditional on the counter read: two uses of one assertion, or of two clones at once, cannot both pass.
    if (!(await this.stores.passkeys.recordUse(passkey.id, passkey.counter, outcome.newCounter, this.clock.now()))) {
      await this.notices.passkeyCounterWentBack(passkey.userId, passkey.id);
      throw new InvalidCode();
    }
    return passkey;
  }
}
