import type { EmailAddress } from '../domain/email-address.js';
import type { DomainEvent } from '../domain/events.js';
import type { AuditLog } from './audit/ports.js';
import type { EmailTokens, MailQueue } from './email/ports.js';
import type { User } from '../domain/user.js';
import type { Username } from '../domain/username.js';

export interface UserPage {
  users: User[];
  /** Pass as `after` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The users as a use case reads them, outside a transaction: what is injected. Changes go through
 * `UserChanges`, which only a unit of work hands out (`tx.users`), so a write outside one does not type-check.
 */
export interface UserRepository {
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: Username): Promise<User | undefined>;
  findByEmail(email: EmailAddress): Promise<User | undefined>;
  /**
   * Oldest first; `after` is the id of the last user of the previous page. With `prefix` (lower case), only the
   * users whose username or address starts with it, taken literally: `%`, `_` and `\` are no wildcards.
   */
  list(page: { limit: number; after?: string; prefix?: string }): Promise<UserPage>;
}

/** The users inside a unit of work (`tx.users`): the reads, on the transaction, and the changes. */
export interface UserChanges extends UserRepository {
  /** @throws UsernameTaken or EmailTaken, decided by the unique indexes, never by a pre-check. */
  add(user: User): Promise<void>;
  /** @throws EmailTaken when the new address is another account's. */
  update(user: User): Promise<void>;
  remove(id: string): Promise<void>;
  /** Reads the user and locks its row until the transaction ends. */
  findForUpdate(id: string): Promise<User | undefined>;
  /**
   * Takes the admin guard, held until the transaction ends, and counts the active admins (a disabled admin
   * cannot act, so it does not count). Every change that could
   * remove an admin takes it first, so two at once cannot both see a second admin. Call it before any other
   * read of the transaction but findForUpdate (the count must see the latest commits).
   */
  lockAdmins(): Promise<number>;
}

/** Records an event in the same transaction as the change it describes; only ever used inside a unit of work. */
export interface Outbox {
  add(event: DomainEvent): Promise<void>;
}

/** A live session as its owner (or an admin) sees it: never its secret. */
export interface SessionInfo {
  /** The public id: names the session in the API and in events; the secret is never shown again. */
  id: string;
  userId: string;
  type: 'cookie' | 'token';
  createdAt: Date;
  lastSeenAt: Date;
  /** The earlier of the idle and the absolute deadline. */
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Server-side sessions, seen from the use cases, by their public ids. The adapter stores only a hash of the
 * secret the client holds. Every method that ends sessions returns the public ids it ended, for the event.
 */
export interface Sessions {
  /** The user's live sessions at `now`, newest first. */
  listOf(userId: string, now: Date): Promise<SessionInfo[]>;
  /** Whether the session is live at `now` and belongs to the user. */
  isLive(userId: string, sessionId: string, now: Date): Promise<boolean>;
  /** Ends the user's session with this public id; [] when the user has none by that id. */
  endOne(userId: string, sessionId: string): Promise<string[]>;
  /** Ends every session of the user, except `keep` (a public id) when given. */
  endAllOf(userId: string, keep?: string): Promise<string[]>;
}

export interface TxScope {
  users: UserChanges;
  outbox: Outbox;
  sessions: Sessions;
  /** The audit trail, written in this transaction. */
  audit: AuditLog;
  emailTokens: EmailTokens;
  /** Mail is queued with the change that causes it, and sent after the commit by the mail relay. */
  mail: MailQueue;
}

/** Runs `work` in one database transaction: commit when it resolves, roll back when it throws. */
export interface UnitOfWork {
  run<T>(work: (tx: TxScope) => Promise<T>): Promise<T>;
}

export interface PasswordHasher {
  /** @throws Busy when too many hashes are running or waiting. */
  hash(plain: string): Promise<string>;
  /** @throws Busy when too many hashes are running or waiting. */
  verify(plain: string, hash: string): Promise<boolean>;
  /** Whether the hash was made with weaker settings than new hashes get (a lower bcrypt cost). */
  needsRehash(hash: string): boolean;
}

/** The most common passwords, which are refused for new passwords. */
export interface CommonPasswords {
  includes(password: string): boolean;
}

/**
 * Who tries to sign in: the account named, and the client's address when known. Without an account (a passkey
 * nobody registered names none) the attempt counts against the client only.
 */
export interface LoginAttempt {
  account?: string;
  client?: string;
}

/**
 * Throttles password guessing per account (whatever the client's address) and per client address (across
 * accounts). Every attempt is counted before the password is checked, so a burst of parallel attempts cannot
 * slip past the limit; only attempts whose password was checked and found wrong stay counted.
 */
export interface LoginThrottle {
  /** @throws TooManyAttempts when the account or the client is over a limit; a refusal leaves nothing counted. */
  begin(attempt: LoginAttempt): Promise<void>;
  /** The password was right: clears the account's count and gives the client back its attempt. */
  succeeded(attempt: LoginAttempt): Promise<void>;
  /** The password was checked and wrong: the attempt stays counted against both. */
  failed(attempt: LoginAttempt): Promise<void>;
  /** The password could not be checked (the service was busy, the database failed): given back to both. */
  cancel(attempt: LoginAttempt): Promise<void>;
}

/**
 * An operator's unlock: forgets the sign-in failures counted against an account (by its username, as
 * LoginAttempt names it), in the store every instance shares.
 */
export interface LoginThrottleReset {
  clearAccount(account: string): Promise<void>;
}

/** Throttles account creation per client address; admins creating accounts are not throttled. */
export interface RegistrationThrottle {
  /** @throws TooManyAttempts when the client is over a limit; a refusal leaves nothing counted. */
  begin(client: string): Promise<void>;
  /** The registration could not be tried (the service was busy): the attempt is given back. */
  cancel(client: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** New opaque, time-ordered identifiers (UUIDv7) for users and events. */
export interface IdGenerator {
  next(): string;
}

// A token shares its interface's name, so injection reads `@inject(Clock) clock: Clock`.
export const UserRepository = Symbol('UserRepository');
export const UnitOfWork = Symbol('UnitOfWork');
export const Sessions = Symbol('Sessions');
export const PasswordHasher = Symbol('PasswordHasher');
export const CommonPasswords = Symbol('CommonPasswords');
export const LoginThrottle = Symbol('LoginThrottle');
export const LoginThrottleReset = Symbol('LoginThrottleReset');
export const RegistrationThrottle = Symbol('RegistrationThrottle');
export const Clock = Symbol('Clock');
export const IdGenerator = Symbol('IdGenerator');

/** Where a background job (the relays, the key ring, the audit purge) reports what it does (pino's logger fits). */
export interface LogSink {
  /** Detail for whoever turns LOG_LEVEL to debug; a sink may drop it. */
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
