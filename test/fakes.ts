// Hand-written doubles for the unit tests: each keeps its port's real contract and nothing more.
import type {
  Clock,
  CommonPasswords,
  IdGenerator,
  LoginAttempt,
  LoginThrottle,
  Outbox,
  PasswordHasher,
  RegistrationThrottle,
  SessionInfo,
  Sessions,
  TxScope,
  UnitOfWork,
  UserChanges,
  UserPage,
} from '../src/application/ports.js';
import type { AuditEntry, AuditLog } from '../src/application/audit/ports.js';
import type { EmailToken, EmailTokens, MailQueue, OutgoingMail, TokenPurpose } from '../src/application/email/ports.js';
import type { EmailAddress } from '../src/domain/email-address.js';
import { EmailTaken, TooManyAttempts, UsernameTaken } from '../src/domain/errors.js';
import type { DomainEvent } from '../src/domain/events.js';
import { User, type UserSnapshot } from '../src/domain/user.js';
import type { Username } from '../src/domain/username.js';

/**
 * Users kept as snapshots, so a use case that changes a User without calling update() changes nothing stored.
 * Like the unique index, add() refuses a username that differs from a stored one only in case.
 */
export class InMemoryUserRepository implements UserChanges {
  private rows = new Map<string, UserSnapshot>();

  async findById(id: string): Promise<User | undefined> {
    const row = this.rows.get(id);
    return row && User.restore(row);
  }

  async findByUsername(username: Username): Promise<User | undefined> {
    const row = [...this.rows.values()].find((r) => r.username.toLowerCase() === username.toLowerCase());
    return row && User.restore(row);
  }

  async findByEmail(email: EmailAddress): Promise<User | undefined> {
    const row = [...this.rows.values()].find((r) => r.email === email);
    return row && User.restore(row);
  }

  /** Keyset paging on the id, oldest first, as the SQL adapter does. */
  async list({ limit, after, prefix }: { limit: number; after?: string; prefix?: string }): Promise<UserPage> {
    const rows = [...this.rows.values()]
      .filter((r) => after === undefined || r.id > after)
      .filter((r) => !prefix || r.username.toLowerCase().startsWith(prefix) || (r.email ?? '').startsWith(prefix))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit + 1);
    const page = rows.slice(0, limit);
    return { users: page.map((r) => User.restore(r)), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async add(user: User): Promise<void> {
    const row = user.toSnapshot();
    if (this.rows.has(row.id)) throw new Error(`duplicate primary key ${row.id}`);
    if (await this.findByUsername(row.username)) throw new UsernameTaken();
    if (row.email && (await this.findByEmail(row.email))) throw new EmailTaken();
    this.rows.set(row.id, row);
  }

  async update(user: User): Promise<void> {
    // As an UPDATE … WHERE id = ?: a row that is gone stays gone.
    const row = user.toSnapshot();
    const holder = row.email && (await this.findByEmail(row.email));
    if (holder && holder.id !== row.id) throw new EmailTaken();
    if (this.rows.has(user.id)) this.rows.set(user.id, row);
  }

  async remove(id: string): Promise<void> {
    this.rows.delete(id);
  }

  async findForUpdate(id: string): Promise<User | undefined> {
    return this.findById(id);
  }

  async lockAdmins(): Promise<number> {
    return [...this.rows.values()].filter((r) => r.role === 'admin' && r.status === 'active').length;
  }

  /** Test helpers, not part of the port. */
  get size(): number {
    return this.rows.size;
  }
  snapshotOf(id: string): UserSnapshot | undefined {
    const row = this.rows.get(id);
    return row && { ...row };
  }
  saveState(): Map<string, UserSnapshot> {
    return new Map([...this.rows].map(([id, row]) => [id, { ...row }]));
  }
  restoreState(state: Map<string, UserSnapshot>): void {
    this.rows = new Map(state);
  }
}

/** Live sessions by public id (with their owner), and the ids ended so far, in order. */
export class InMemorySessions implements Sessions {
  private live = new Map<string, string>();
  ended: string[] = [];

  start(userId: string, sessionId: string): string {
    this.live.set(sessionId, userId);
    return sessionId;
  }

  keysOf(userId: string): string[] {
    return [...this.live].filter(([, owner]) => owner === userId).map(([id]) => id);
  }

  async listOf(userId: string, now: Date): Promise<SessionInfo[]> {
    return this.keysOf(userId)
      .reverse()
      .map((id) => ({ id, userId, type: 'cookie', createdAt: now, lastSeenAt: now, expiresAt: now, ip: null, userAgent: null }));
  }

  async isLive(userId: string, sessionId: string): Promise<boolean> {
    return this.live.get(sessionId) === userId;
  }

  async endOne(userId: string, sessionId: string): Promise<string[]> {
    if (this.live.get(sessionId) !== userId) return [];
    this.live.delete(sessionId);
    this.ended.push(sessionId);
    return [sessionId];
  }

  async endAllOf(userId: string, keep?: string): Promise<string[]> {
    const ended: string[] = [];
    for (const id of this.keysOf(userId)) if (id !== keep) ended.push(...(await this.endOne(userId, id)));
    return ended;
  }

  saveState(): { live: Map<string, string>; ended: string[] } {
    return { live: new Map(this.live), ended: [...this.ended] };
  }
  restoreState(state: { live: Map<string, string>; ended: string[] }): void {
    this.live = new Map(state.live);
    this.ended = [...state.ended];
  }
}

/** Tokens by value (a fake need not hash), with the issue/take/void rules of the port. */
export class InMemoryEmailTokens implements EmailTokens {
  tokens = new Map<string, EmailToken>();
  private issued = 0;

  async issue(token: EmailToken): Promise<string> {
    await this.voidAll(token.userId, token.purpose);
    const value = `token-${(this.issued += 1)}`;
    this.tokens.set(value, { ...token });
    return value;
  }
  async take(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined> {
    const found = await this.peek(value, purpose);
    if (found) this.tokens.delete(value);
    return found;
  }
  async peek(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined> {
    const found = this.tokens.get(value);
    return found?.purpose === purpose ? { ...found } : undefined;
  }
  async voidAll(userId: string, purpose?: TokenPurpose): Promise<void> {
    for (const [value, t] of this.tokens) if (t.userId === userId && (!purpose || t.purpose === purpose)) this.tokens.delete(value);
  }
}

/**
 * One shared store for users, sessions and the outbox. A throw inside run() restores all three as they were
 * when that run began, as a rollback would, so tests can assert that a failed use case left nothing behind.
 */
export class InMemoryUnitOfWork implements UnitOfWork {
  readonly users = new InMemoryUserRepository();
  readonly sessions = new InMemorySessions();
  readonly events: DomainEvent[] = [];
  /** Audit entries written in committed transactions. */
  readonly audit: AuditEntry[] = [];
  readonly emailTokens = new InMemoryEmailTokens();
  readonly mails: OutgoingMail[] = [];
  commits = 0;
  rollbacks = 0;
  private outboxFailure: Error | undefined;

  /** Makes the next outbox write throw, as a database error would mid-transaction. */
  failNextOutboxAdd(error = new Error('outbox write failed')): void {
    this.outboxFailure = error;
  }

  async run<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
    const users = this.users.saveState();
    const sessions = this.sessions.saveState();
    const eventCount = this.events.length;
    const auditCount = this.audit.length;
    const audit: AuditLog = { record: async (entry) => void this.audit.push(structuredClone(entry)) };
    const mailCount = this.mails.length;
    const tokens = new Map(this.emailTokens.tokens);
    const mail: MailQueue = { add: async (m) => void this.mails.push(structuredClone(m)) };
    const outbox: Outbox = {
      add: async (event) => {
        const failure = this.outboxFailure;
        this.outboxFailure = undefined;
        if (failure) throw failure;
        this.events.push(structuredClone(event));
      },
    };
    try {
      const result = await work({ users: this.users, outbox, sessions: this.sessions, audit, emailTokens: this.emailTokens, mail });
      this.commits += 1;
      return result;
    } catch (err) {
      this.users.restoreState(users);
      this.sessions.restoreState(sessions);
      this.events.length = eventCount;
      this.audit.length = auditCount;
      this.mails.length = mailCount;
      this.emailTokens.tokens = tokens;
      this.rollbacks += 1;
      throw err;
    }
  }
}

/** Entries written outside a transaction (failed sign-ins, throttling blocks), in order. */
export class InMemoryAuditTrail implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
}

/**
 * `hashed:${plain}`, counting calls. With `{ likeBcrypt: true }` it compares as bcrypt does, only up to the
 * first NUL and the first 72 bytes, to show what the password rules protect against.
 *
 * `scheme` plays bcrypt's cost: new hashes are `${scheme}:${plain}`, a hash of any other scheme still verifies
 * but needs a rehash. Set `scheme = 'hashed-v2'` to raise the cost, so the hashes stored so far need one.
 */
export class FakePasswordHasher implements PasswordHasher {
  hashCalls = 0;
  verifyCalls: { plain: string; hash: string }[] = [];
  scheme = 'hashed';

  constructor(private readonly options: { likeBcrypt?: boolean } = {}) {}

  async hash(plain: string): Promise<string> {
    this.hashCalls += 1;
    return `${this.scheme}:${this.seen(plain)}`;
  }

  async verify(plain: string, hash: string): Promise<boolean> {
    this.verifyCalls.push({ plain, hash });
    const match = /^(hashed[^:]*):/.exec(hash);
    return match !== null && hash === `${match[1]}:${this.seen(plain)}`;
  }

  needsRehash(hash: string): boolean {
    return !hash.startsWith(`${this.scheme}:`);
  }

  private seen(plain: string): string {
    if (!this.options.likeBcrypt) return plain;
    const beforeNul = plain.split('\0')[0]!;
    return Buffer.from(beforeNul, 'utf8').subarray(0, 72).toString('utf8');
  }
}

export const fakeHasher = (options?: { likeBcrypt?: boolean }): FakePasswordHasher => new FakePasswordHasher(options);

/** A few well-known passwords of 8 characters or more (shorter ones fail the length rule first), ignoring case. */
export const COMMON_PASSWORDS = ['password1', 'qwerty123', 'iloveyou', 'sunshine1', 'letmein123'];

export class FakeCommonPasswords implements CommonPasswords {
  private readonly list: ReadonlySet<string>;
  constructor(list: readonly string[] = COMMON_PASSWORDS) {
    this.list = new Set(list.map((p) => p.toLowerCase()));
  }
  includes(password: string): boolean {
    return this.list.has(password.toLowerCase());
  }
}

/** Attempts allowed per account and per client before TooManyAttempts (none by default). */
export interface ThrottleLimits {
  account?: number;
  client?: number;
  retryAfterSeconds?: number;
}

export interface ThrottleCall {
  method: 'begin' | 'succeeded' | 'failed' | 'cancel';
  attempt: LoginAttempt;
}

/**
 * The real contract without windows or clock: every begin() counts one attempt for the account and one for the
 * client before deciding, and past a limit it gives them back and throws TooManyAttempts; failed() keeps the
 * count, succeeded() clears the account and gives the client its attempt back. Limits default to none. Every call is recorded, in order.
 */
export class FakeLoginThrottle implements LoginThrottle {
  readonly calls: ThrottleCall[] = [];
  private readonly accounts = new Map<string, number>();
  private readonly clients = new Map<string, number>();

  constructor(private readonly limits: ThrottleLimits = {}) {}

  async begin(attempt: LoginAttempt): Promise<void> {
    this.calls.push({ method: 'begin', attempt: copyOf(attempt) });
    const onAccount = bump(this.accounts, attempt.account, 1);
    const fromClient = attempt.client === undefined ? 0 : bump(this.clients, attempt.client, 1);
    if (onAccount > (this.limits.account ?? Infinity) || fromClient > (this.limits.client ?? Infinity)) {
      // A refusal leaves nothing counted.
      bump(this.accounts, attempt.account, -1);
      if (attempt.client !== undefined) bump(this.clients, attempt.client, -1);
      throw new TooManyAttempts(this.limits.retryAfterSeconds ?? 60);
    }
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    this.calls.push({ method: 'failed', attempt: copyOf(attempt) });
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    this.calls.push({ method: 'succeeded', attempt: copyOf(attempt) });
    if (attempt.account !== undefined) this.accounts.delete(attempt.account);
    if (attempt.client !== undefined) bump(this.clients, attempt.client, -1);
  }

  async cancel(attempt: LoginAttempt): Promise<void> {
    this.calls.push({ method: 'cancel', attempt: copyOf(attempt) });
    bump(this.accounts, attempt.account, -1);
    if (attempt.client !== undefined) bump(this.clients, attempt.client, -1);
  }

  /** Test helpers, not part of the port. */
  attemptsOn(account: string): number {
    return this.accounts.get(account) ?? 0;
  }
  attemptsFrom(client: string): number {
    return this.clients.get(client) ?? 0;
  }
  callsTo(method: ThrottleCall['method']): LoginAttempt[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.attempt);
  }
}

function bump(counts: Map<string, number>, key: string | undefined, by: number): number {
  if (key === undefined) return 0;
  const count = Math.max(0, (counts.get(key) ?? 0) + by);
  counts.set(key, count);
  return count;
}

/** `{ account }` when there is no client, so a test can deep-equal it without a `client: undefined` key. */
const copyOf = ({ account, client }: LoginAttempt): LoginAttempt => ({
  ...(account !== undefined && { account }),
  ...(client !== undefined && { client }),
});

/** Registrations per client without a clock: past `limit` begin() gives its count back and throws. */
export class FakeRegistrationThrottle implements RegistrationThrottle {
  readonly calls: Array<{ method: 'begin' | 'cancel'; client: string }> = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit = Infinity) {}

  async begin(client: string): Promise<void> {
    this.calls.push({ method: 'begin', client });
    if (bump(this.counts, client, 1) > this.limit) {
      bump(this.counts, client, -1);
      throw new TooManyAttempts(60);
    }
  }

  async cancel(client: string): Promise<void> {
    this.calls.push({ method: 'cancel', client });
    bump(this.counts, client, -1);
  }
}

export const T0 = new Date('2025-01-01T00:00:00.000Z');

/** Stands still unless told to move. */
export class FixedClock implements Clock {
  constructor(private at: Date = T0) {}
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** UUID-shaped ids from a counter: they sort in creation order, like UUIDv7. */
export class SequentialIds implements IdGenerator {
  private n = 0;
  next(): string {
    this.n += 1;
    return `00000000-0000-7000-8000-${String(this.n).padStart(12, '0')}`;
  }
}
