import type { DomainEvent } from '../domain/events.js';
import type { User } from '../domain/user.js';
import type { Username } from '../domain/username.js';

export interface UserPage {
  users: User[];
  /** Pass as `after` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface UserRepository {
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: Username): Promise<User | undefined>;
  /** Oldest first; `after` is the id of the last user of the previous page. */
  list(page: { limit: number; after?: string }): Promise<UserPage>;
  /** @throws UsernameTaken, decided by the unique index, never by a findByUsername pre-check. */
  add(user: User): Promise<void>;
  update(user: User): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * Counts the admins and locks their rows until the transaction ends, so two concurrent demotions
   * cannot both see a second admin. Only meaningful inside a unit of work.
   */
  lockAdmins(): Promise<number>;
}

/** Records an event in the same transaction as the change it describes; only ever used inside a unit of work. */
export interface Outbox {
  add(event: DomainEvent): Promise<void>;
}

/**
 * Server-side sessions, seen from the use cases. `sessionKey` is the opaque value the client holds; the
 * adapter stores only a hash of it.
 */
export interface Sessions {
  end(sessionKey: string): Promise<void>;
  /** Ends every session of the user, except `keep` when given (the caller's own). */
  endAllOf(userId: string, keep?: string): Promise<void>;
}

export interface TxScope {
  users: UserRepository;
  outbox: Outbox;
  sessions: Sessions;
}

/** Runs `work` in one database transaction: commit when it resolves, roll back when it throws. */
export interface UnitOfWork {
  run<T>(work: (tx: TxScope) => Promise<T>): Promise<T>;
}

export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(plain: string, hash: string): Promise<boolean>;
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
export const Clock = Symbol('Clock');
export const IdGenerator = Symbol('IdGenerator');
