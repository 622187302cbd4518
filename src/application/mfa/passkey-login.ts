import { inject, injectable } from 'inversify';
import { parseUsername } from '../../domain/username.js';
import { Clock, IdGenerator, UnitOfWork, UserRepository } from '../ports.js';
import type { UserView } from '../user-view.js';
import { recordLogin } from './complete-login.js';
import { MfaStores, Passkeys, type StoredPasskey, CHALLENGE_TTL_MS } from './ports.js';
import { VerifyPasskey } from './verify-passkey.js';

/**
 * Signing in with a passkey alone, without a password: the passkey is something held and, with user
 * verification (required here), something known or being, so it counts as both factors.
 */
@injectable()
export class PasskeyLogin {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Passkeys) private readonly passkeys: Passkeys,
    @inject(VerifyPasskey) private readonly verify: VerifyPasskey,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Options for the browser. With a username, its passkeys are offered; an unknown or malformed name gets the
   * same answer as a user without passkeys (discoverable credentials), so the answer does not tell which exist.
   */
  async options(input: { username?: string }): Promise<Record<string, unknown>> {
    const allow = input.username === undefined ? [] : await this.passkeysOf(input.username);
    const { options, challenge } = await this.passkeys.authenticationOptions(allow, 'required');
    await this.stores.challenges.issue(challenge, 'login', null, this.clock.now(), CHALLENGE_TTL_MS);
    return options;
  }

  /** @throws InvalidCode when the assertion does not verify. */
  async execute(input: { response: unknown }): Promise<UserView> {
    const passkey = await this.verify.execute({ response: input.response, purpose: 'login', userId: null, requireUserVerification: true });
    return recordLogin(this.uow, passkey.userId, this.ids, this.clock);
  }

  private async passkeysOf(username: string): Promise<StoredPasskey[]> {
    let user;
    try {
      user = await this.users.findByUsername(parseUsername(username));
    } catch {
      return [];
    }
    return user ? this.stores.passkeys.listOf(user.id) : [];
  }
}
