import { inject, injectable } from 'inversify';
import { InvalidCode } from '../../domain/errors.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator } from '../ports.js';
import { MfaStores, MfaUnitOfWork, Passkeys, type ChallengePurpose, type StoredPasskey } from './ports.js';
import { passkeyCloneSuspected } from './security-notices.js';

/**
 * Checks a passkey assertion against a challenge this service issued (used once, for its purpose and user) and
 * the stored public key, and moves the signature counter forward. A counter that does not move forward (a
 * cloned authenticator) is refused, audited, and its owner told. Returns the passkey used.
 * @throws InvalidCode
 */
@injectable()
export class VerifyPasskey {
  constructor(
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Passkeys) private readonly passkeys: Passkeys,
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(
    input: {
      response: unknown;
      purpose: ChallengePurpose;
      /** The user who must own the passkey; null for a passwordless login, where the passkey names its user. */
      userId: string | null;
      requireUserVerification: boolean;
    },
    context: RequestContext = {},
  ): Promise<StoredPasskey> {
    const passkey = await this.passkeyNamedBy(input.response);
    if (!passkey || (input.userId !== null && passkey.userId !== input.userId)) throw new InvalidCode();
    const challengeOk = (challenge: string) => this.stores.challenges.consume(challenge, input.purpose, input.userId, this.clock.now());
    const outcome = await this.passkeys.verifyAuthentication(input.response, passkey, challengeOk, input.requireUserVerification);
    if (!outcome.ok) {
      if (outcome.counterWentBack) await this.reportClone(passkey, input.userId, context);
      throw new InvalidCode();
    }
    // Conditional on the counter: two clones signing the same count at once cannot both pass. Two uses of one
    // authenticator at once both pass when the later-signed one is recorded last; the other order is refused as a
    // clone would be, since the counter alone cannot tell them apart.
    if (!(await this.stores.passkeys.recordUse(passkey.id, passkey.counter, outcome.newCounter, this.clock.now()))) {
      await this.reportClone(passkey, input.userId, context);
      throw new InvalidCode();
    }
    return passkey;
  }

  /** The registered passkey an assertion names, if any. */
  async passkeyNamedBy(response: unknown): Promise<StoredPasskey | undefined> {
    const credentialId = this.passkeys.credentialIdOf(response);
    return credentialId === undefined ? undefined : this.stores.passkeys.findByCredentialId(credentialId);
  }

  private async reportClone(passkey: StoredPasskey, signedInAs: string | null, context: RequestContext): Promise<void> {
    await this.uow.run(async (tx) => {
      const owner = await tx.users.findById(passkey.userId);
      if (!owner) return; // deleted meanwhile: nobody to tell
      await passkeyCloneSuspected(tx, owner, passkey, signedInAs ?? 'anonymous', { ids: this.ids, clock: this.clock }, context);
    });
  }
}
