import { inject, injectable } from 'inversify';
import { AccountDisabled, InvalidCredentials, TooManyAttempts } from '../domain/errors.js';
import { loggedIn } from '../domain/events.js';
import { candidatePassword } from '../domain/password.js';
import { parseUsername, type Username } from '../domain/username.js';
import { noAudit } from './audit/entries.js';
import type { RequestContext } from './audit/ports.js';
import { SignInAudit } from './audit/sign-in-audit.js';
import { checkCounted } from './password-check.js';
import { Clock, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from './ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

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
  ) {}

  async execute(input: { username: string; password: string }, context: RequestContext = {}): Promise<UserView> {
    const username = this.usernameOrUndefined(input.username);
    // Counted before the password is checked, unknown names included, so parallel guesses cannot outrun the count.
    const attempt = { account: username ?? input.username.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY), client: context.client };
    await this.throttle.begin(attempt).catch(async (err: unknown) => {
      if (err instanceof TooManyAttempts) await this.audit.blocked(attempt, err, username, context);
      throw err;
    });

    const password = candidatePassword(input.password);
    const user = username && (await this.users.findByUsername(username));
    // An unknown name or an impossible password costs one bcrypt compare too, against a hash of the same
    // cost, so response time does not tell which names exist.
    const matches = await checkCounted(this.throttle, attempt, async () => {
      const hash = user && password ? user.passwordHash : await this.dummy();
      return this.hasher.verify(password ?? '', hash);
    });
    if (!user || !password || !matches) {
      await this.audit.failed(user ? 'wrong-password' : 'unknown-user', user, input.username, context);
      throw new InvalidCredentials();
    }
    // Only after the right password: a guesser learns nothing from it. The attempt stays counted.
    if (!user.isActive) {
      await this.audit.failed('disabled', user, input.username, context);
      throw new AccountDisabled();
    }
    await this.throttle.succeeded(attempt);

    // A hash made at a lower cost than today's is replaced now, while the password is at hand.
    const upgradedHash = this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(password) : undefined;
    const view = await this.uow.run(async ({ users, outbox, audit }) => {
      // Re-read inside the transaction: the account may have been deleted or disabled while bcrypt ran.
      const current = await users.findById(user.id);
      if (!current) throw new InvalidCredentials();
      if (!current.isActive) return undefined;
      if (upgradedHash && current.passwordHash === user.passwordHash) current.upgradePasswordHash(upgradedHash);
      current.recordLogin(this.clock.now());
      await users.update(current); // locks the row, so this event is ordered with the user's other changes
      await outbox.add(loggedIn(current, stamp(this.ids, this.clock)));
      await audit.record({ type: 'login', outcome: 'success', actor: current.id, subjectId: current.id, context });
      return viewOf(current);
    });
    if (!view) {
      await this.audit.failed('disabled', user, input.username, context);
      throw new AccountDisabled();
    }
    return view;
  }

  /** Computes the dummy hash ahead of the first login with an unknown name, which would otherwise pay for it. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }

  /** A malformed name cannot exist; it gets the same answer, after the same work, as an unknown one. */
  private usernameOrUndefined(raw: string): Username | undefined {
    try {
      return parseUsername(raw);
    } catch {
      return undefined;
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
