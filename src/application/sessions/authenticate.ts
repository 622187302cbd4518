import { inject, injectable, optional } from 'inversify';
import { looksLikeEmail, parseEmailAddress } from '../../domain/email-address.js';
import { AccountDisabled, Busy, InvalidCredentials, TooManyAttempts, ValidationFailed } from '../../domain/errors.js';
import { loggedIn } from '../../domain/events.js';
import { candidatePassword } from '../../domain/password.js';
import type { User } from '../../domain/user.js';
import { parseUsername, type Username } from '../../domain/username.js';
import { noAudit } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { SignInAudit } from '../audit/sign-in-audit.js';
import type { SignInMethod } from '../mfa/ports.js';
import { SecondFactors } from '../mfa/second-factors.js';
import { checkCounted } from '../accounts/password-check.js';
import { Clock, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from '../ports.js';
import { stamp, viewOf, type UserView } from '../accounts/user-view.js';

/** The user, or with `secondFactors` a login that waits for one of them: not recorded as a login yet. */
export type LoginOutcome = UserView & { secondFactors?: SignInMethod[] };

/** Longer names are cut for the throttle key only: they can never be valid usernames anyway. */
const MAX_ACCOUNT_KEY = 128;

@injectable()
export class Authenticate {
  private dummyHash?: Promise<string>;

  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(SignInAudit) private readonly audit: SignInAudit = new SignInAudit(noAudit, users, clock),
    @inject(SecondFactors) @optional() private readonly secondFactors?: SecondFactors,
  ) {}

  /**
   * `device`: the account and device id of a browser that signed in to an account before (a signed cookie the
   * HTTP edge checked). For that account, its attempts count against a budget of that device's own instead of the
   * account's, so failures from elsewhere cannot lock its owner out; its own failures lock only itself.
   */
  async execute(
    input: { username: string; password: string; device?: { username: string; id: string } },
    context: RequestContext = {},
  ): Promise<LoginOutcome> {
    const username = await this.usernameNamed(input.username);
    // Counted before the password is checked, unknown names included, so parallel guesses cannot outrun the count.
    // A known account is counted under its username however it was named (name or address): one budget per account.
    const knownDevice = username !== undefined && input.device?.username === username ? input.device.id : undefined;
    const account = knownDevice ? `device:${knownDevice}` : (username ?? input.username.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY));
    const attempt = { account, client: context.client };
    const password = candidatePassword(input.password);
    let user: User | undefined;
    // An unknown name or an impossible password costs one bcrypt compare too, against a hash of the same
    // cost, so response time does not tell which names exist; it counts as a wrong password.
    const matches = await checkCounted(this.throttle, attempt, async () => {
      user = username ? await this.users.findByUsername(username) : undefined;
      if (!user || !password) {
        await this.hasher.verify(password ?? '', await this.dummy());
        return false;
      }
      return this.hasher.verify(password, user.passwordHash);
    }).catch(async (err: unknown) => {
      // A refusal writes one entry when a block begins, never one per refused attempt.
      if (err instanceof TooManyAttempts) await this.audit.blocked(attempt, err, username, context);
      throw err;
    });
    if (!user || !password || !matches) {
      await this.audit.failed(user ? 'wrong-password' : 'unknown-user', user, input.username, context);
      throw new InvalidCredentials();
    }
    const found: User = user;
    // Only after the right password: a guesser learns nothing from it.
    if (!found.isActive) {
      await this.audit.failed('disabled', found, input.username, context);
      throw new AccountDisabled();
    }

    // A hash made at a lower cost than today's is replaced now, while the password is at hand.
    const upgradedHash = this.hasher.needsRehash(found.passwordHash) ? await this.upgrade(password) : undefined;
    const methods = (await this.secondFactors?.methodsOf(found.id)) ?? [];
    const view = await this.uow.run(async ({ users, outbox, audit }): Promise<LoginOutcome | undefined> => {
      // Re-read inside the transaction: the account may have been deleted or disabled while bcrypt ran.
      const current = await users.findById(found.id);
      if (!current) throw new InvalidCredentials();
      if (!current.isActive) return undefined;
      if (upgradedHash && current.passwordHash === found.passwordHash) current.upgradePasswordHash(upgradedHash);
      // With a second factor the login is recorded once that is proven too (CompleteLogin).
      if (methods.length > 0) {
        if (upgradedHash) await users.update(current);
        return { ...viewOf(current), secondFactors: methods };
      }
      current.recordLogin(this.clock.now());
      await users.update(current); // locks the row, so this event is ordered with the user's other changes
      await outbox.add(loggedIn(current, stamp(this.ids, this.clock)));
      await audit.record({ type: 'login', outcome: 'success', actor: current.id, subjectId: current.id, context });
      return viewOf(current);
    });
    if (!view) {
      await this.audit.failed('disabled', found, input.username, context);
      throw new AccountDisabled();
    }
    return view;
  }

  /** The upgrade waits for a quieter moment when bcrypt is busy: the login itself has succeeded. */
  private async upgrade(password: string): Promise<string | undefined> {
    try {
      return await this.hasher.hash(password);
    } catch (err) {
      if (err instanceof Busy) return undefined;
      throw err;
    }
  }

  /** Computes the dummy hash ahead of the first login with an unknown name, which would otherwise pay for it. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }

  /**
   * The username a login names: itself, or the owner of a verified address (an unverified one may belong to
   * somebody else). A malformed name cannot exist; it gets the same answer, after the same work, as an unknown one.
   */
  private async usernameNamed(raw: string): Promise<Username | undefined> {
    try {
      if (!looksLikeEmail(raw)) return parseUsername(raw);
      const user = await this.users.findByEmail(parseEmailAddress(raw));
      return user?.emailVerified ? user.username : undefined;
    } catch (err) {
      if (err instanceof ValidationFailed) return undefined;
      throw err;
    }
  }

  private dummy(): Promise<string> {
    // A refusal (Busy) is not kept: the next unknown-name login tries again.
    this.dummyHash ??= this.hasher.hash('not a real password; only burns time').catch((err: unknown) => {
      this.dummyHash = undefined;
      throw err;
    });
    return this.dummyHash;
  }
}
