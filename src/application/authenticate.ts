import { inject, injectable } from 'inversify';
import { looksLikeEmail, parseEmailAddress } from '../domain/email-address.js';
import { InvalidCredentials, ValidationFailed } from '../domain/errors.js';
import { loggedIn } from '../domain/events.js';
import { candidatePassword } from '../domain/password.js';
import type { User } from '../domain/user.js';
import { parseUsername } from '../domain/username.js';
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
  ) {}

  async execute(input: { username: string; password: string }, context: { client?: string } = {}): Promise<UserView> {
    const user = await this.accountNamed(input.username);
    // Counted before the password is checked, unknown names included, so parallel guesses cannot outrun the count.
    // A known account is counted under its username however it was named (name or address): one budget per account.
    const account = user?.username ?? input.username.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY);
    const attempt = { account, client: context.client };
    await this.throttle.begin(attempt);

    const password = candidatePassword(input.password);
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
    return this.uow.run(async ({ users, outbox }) => {
      // Re-read inside the transaction: the account may have been deleted while bcrypt ran.
      const current = await users.findById(user.id);
      if (!current) throw new InvalidCredentials();
      if (upgradedHash && current.passwordHash === user.passwordHash) current.upgradePasswordHash(upgradedHash);
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

  /**
   * The account a login names: by username, or by a verified address (an unverified one may belong to somebody
   * else). A malformed name cannot exist; it gets the same answer, after the same work, as an unknown one.
   */
  private async accountNamed(raw: string): Promise<User | undefined> {
    try {
      if (!looksLikeEmail(raw)) return await this.users.findByUsername(parseUsername(raw));
      const user = await this.users.findByEmail(parseEmailAddress(raw));
      return user?.emailVerified ? user : undefined;
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
