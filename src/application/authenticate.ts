import { inject, injectable, optional } from 'inversify';
import { InvalidCredentials } from '../domain/errors.js';
import { loggedIn } from '../domain/events.js';
import { candidatePassword } from '../domain/password.js';
import { parseUsername, type Username } from '../domain/username.js';
import type { SignInMethod } from './mfa/ports.js';
import { SecondFactors } from './mfa/second-factors.js';
import { checkCounted } from './password-check.js';
import { Clock, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from './ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

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
    @inject(SecondFactors) @optional() private readonly secondFactors?: SecondFactors,
  ) {}

  async execute(input: { username: string; password: string }, context: { client?: string } = {}): Promise<LoginOutcome> {
    const username = this.usernameOrUndefined(input.username);
    // Counted before the password is checked, unknown names included, so parallel guesses cannot outrun the count.
    const attempt = { account: username ?? input.username.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY), client: context.client };
    await this.throttle.begin(attempt);

    const password = candidatePassword(input.password);
    const user = username && (await this.users.findByUsername(username));
    // An unknown name or an impossible password costs one bcrypt compare too, against a hash of the same
    // cost, so response time does not tell which names exist.
    const matches = await checkCounted(this.throttle, attempt, async () => {
      const hash = user && password ? user.passwordHash : await this.dummy();
      return this.hasher.verify(password ?? '', hash);
    });
    if (!user || !password || !matches) throw new InvalidCredentials();
    await this.throttle.succeeded(attempt);

    // A hash made at a lower cost than today's is replaced now, while the password is at hand.
    const upgradedHash = this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(password) : undefined;
    const methods = (await this.secondFactors?.methodsOf(user.id)) ?? [];
    return this.uow.run(async ({ users, outbox }) => {
      // Re-read inside the transaction: the account may have been deleted while bcrypt ran.
      const current = await users.findById(user.id);
      if (!current) throw new InvalidCredentials();
      if (upgradedHash && current.passwordHash === user.passwordHash) current.upgradePasswordHash(upgradedHash);
      // With a second factor the login is recorded once that is proven too (CompleteLogin).
      if (methods.length > 0) {
        if (upgradedHash) await users.update(current);
        return { ...viewOf(current), secondFactors: methods };
      }
      current.recordLogin(this.clock.now());
      await users.update(current); // locks the row, so this event is ordered with the user's other changes
      await outbox.add(loggedIn(current, stamp(this.ids, this.clock)));
      return viewOf(current);
    });
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
