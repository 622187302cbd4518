import { inject, injectable } from 'inversify';
import { InvalidCode, TooManyAttempts } from '../../domain/errors.js';
import { parseUsername } from '../../domain/username.js';
import { noAudit } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { Clock, IdGenerator, LoginThrottle, UnitOfWork, UserRepository, type LoginAttempt } from '../ports.js';
import type { UserView } from '../accounts/user-view.js';
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
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(SignInAudit) private readonly audit: SignInAudit = new SignInAudit(noAudit, users, clock),
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

  /**
   * Counted by the login throttle like a password: per client, and per account when the passkey is registered
   * (an unknown one names no account). Counted before it is checked; a failure stays counted. A disabled account
   * is refused only after its passkey verified, as POST /login refuses it only after the right password.
   * @throws InvalidCode when the assertion does not verify, TooManyAttempts over a limit, AccountDisabled.
   */
  async execute(input: { response: unknown }, context: RequestContext = {}): Promise<UserView> {
    const named = await this.verify.passkeyNamedBy(input.response);
    const owner = named && (await this.users.findById(named.userId));
    const attempt: LoginAttempt = { ...(owner && { account: owner.username }), client: context.client };
    await this.throttle.begin(attempt).catch(async (err: unknown) => {
      if (err instanceof TooManyAttempts) await this.audit.blocked(attempt, err, owner?.username, context);
      throw err;
    });
    let passkey: StoredPasskey;
    try {
      passkey = await this.verify.execute(
        { response: input.response, purpose: 'login', userId: null, requireUserVerification: true },
        context,
      );
    } catch (err) {
      await (err instanceof InvalidCode ? this.throttle.failed(attempt) : this.throttle.cancel(attempt));
      throw err;
    }
    await this.throttle.succeeded(attempt);
    return recordLogin({ uow: this.uow, ids: this.ids, clock: this.clock, audit: this.audit }, passkey.userId, 'passkey', context);
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
