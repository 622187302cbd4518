import type { LoginAttempt, LoginThrottle, LoginThrottleReset } from '../../application/ports.js';
import { TooManyAttempts } from '../../domain/errors.js';
import type { Limit, LoginLimits } from './limits.js';
import { MemoryBlocks } from './memory-blocks.js';
import type { ThrottleRows, WindowLimit } from './throttle-rows.js';

/** A key (an account or a client address) with its windows. */
interface Key {
  kind: 'account' | 'client';
  subject: string;
  windows: WindowLimit[];
}

/**
 * A place reserved in a key's windows, and whether it was the last place of one of them. `since` is a time by
 * which the reservation was certainly counted (taken when the database answered): a give-back counts only in a
 * window that had begun by then. A time taken before the statement would not do: parallel attempts reach the
 * database in any order, and one that read the clock a moment later may open the window another is counted in.
 */
interface Held {
  key: Key;
  since: number;
  lastPlace: boolean;
}

/**
 * Login throttling per account and per client address, each key's windows in one row of the database so that
 * every instance shares them, each change of a key one atomic statement (see SqlThrottleRows).
 *
 * An attempt reserves a place in every window of its keys before its password is checked (a parallel burst is
 * counted one by one and none slips past a limit), and stays counted only when the password was checked and
 * wrong: a success gives the client its attempt back and clears the account, a check that could not run gives
 * both back, and a refused key counts nothing (the database decides and counts in the same statement). Once
 * failures fill a window the key is refused from this process's memory until the window ends, without touching
 * the database; the client is counted before the account, so an address over its limit creates no row for the
 * names it tries.
 */
export class WindowedLoginThrottle implements LoginThrottle, LoginThrottleReset {
  private readonly account: WindowLimit[];
  private readonly client: WindowLimit[];
  private readonly blocks = new MemoryBlocks();
  /** Attempts of this process between begin() and their outcome, by key. */
  private readonly inFlight = new Map<string, number>();
  private readonly held = new WeakMap<LoginAttempt, Held[]>();
  private readonly prefix: string;

  /**
   * `name` keeps the rows of other throttles built on this one (password reset, email tokens) apart from the
   * login's and from each other: their keys are `<name>:account:…` and `<name>:client:…`.
   */
  constructor(
    limits: LoginLimits,
    private readonly rows: ThrottleRows,
    private readonly now: () => number = Date.now,
    name?: string,
  ) {
    this.prefix = name ? `${name}:` : '';
    this.account = limits.account.map(windowOf);
    this.client = limits.client.map(windowOf);
  }

  async begin(attempt: LoginAttempt): Promise<void> {
    const keys = this.keysOf(attempt);
    const now = this.now();
    const blocked = Math.max(0, ...keys.map((k) => this.blocks.msLeft(k.subject, now)));
    if (blocked > 0) throw refusal(blocked);

    const held: Held[] = [];
    for (const key of keys) {
      // Tracked before the database counts it, so this process never takes its own attempts for failures.
      this.track(key.subject, 1);
      const since = this.now();
      const answer = await this.rows.reserve(key.subject, key.windows, since).catch(async (err: unknown) => {
        this.track(key.subject, -1);
        await this.giveBack(held);
        throw err;
      });
      if (answer.allowed) {
        held.push({ key, since: this.now(), lastPlace: answer.placesLeft === 0 });
        continue;
      }
      this.track(key.subject, -1);
      // Full of failures unless this process's own attempts in flight fill it: then the database keeps refusing.
      if (this.pending(key.subject) === 0) this.blocks.block(key.subject, since + answer.msLeft, since);
      await this.giveBack(held);
      throw refusal(answer.msLeft);
    }
    this.held.set(attempt, held);
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    // The failure stays counted; a window it filled refuses the key from memory from now on.
    const held = this.heldBy(attempt);
    for (const h of held) this.track(h.key.subject, -1);
    await Promise.all(held.filter((h) => h.lastPlace).map((h) => this.blockIfFull(h.key)));
  }

  async cancel(attempt: LoginAttempt): Promise<void> {
    await this.giveBack(this.heldBy(attempt));
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    const held = this.heldBy(attempt);
    const account = held.filter((h) => h.key.kind === 'account');
    for (const h of account) this.track(h.key.subject, -1);
    await Promise.all(
      account.map(async (h) => {
        this.blocks.unblock(h.key.subject);
        await this.rows.clear(h.key.subject);
      }),
    );
    await this.giveBack(held.filter((h) => h.key.kind === 'client'));
  }

  /**
   * Forgets the account's windows in the database. Other instances that refuse the account from memory ask the
   * database again within MemoryBlocks' recheck time, and find the row gone.
   */
  async clearAccount(account: string): Promise<void> {
    const subject = `${this.prefix}account:${account}`;
    this.blocks.unblock(subject);
    await this.rows.clear(subject);
  }

  /**
   * When failures fill a window (its count, less this process's attempts still in flight, is at the limit), the
   * key is refused from memory until the window ends. Attempts of other instances still in flight can make this
   * early by the length of one password check; the database count stays the authority either way.
   */
  private async blockIfFull(key: Key): Promise<void> {
    const now = this.now();
    const windows = await this.rows.read(key.subject, key.windows, now);
    const pending = this.pending(key.subject);
    const full = windows.filter((w, i) => w.count - pending >= key.windows[i]!.points).map((w) => w.resetAt);
    if (full.length > 0) this.blocks.block(key.subject, Math.max(...full), now);
  }

  /** The client's key, then the account's; a kind of key with no limits is not counted at all. */
  private keysOf({ account, client }: LoginAttempt): Key[] {
    const keys: Key[] = [];
    if (client !== undefined && this.client.length > 0)
      keys.push({ kind: 'client', subject: `${this.prefix}client:${client}`, windows: this.client });
    if (account !== undefined && this.account.length > 0)
      keys.push({ kind: 'account', subject: `${this.prefix}account:${account}`, windows: this.account });
    return keys;
  }

  /** What begin() reserved for this attempt (or, for an attempt it never saw, its keys as of now). */
  private heldBy(attempt: LoginAttempt): Held[] {
    const held = this.held.get(attempt);
    this.held.delete(attempt);
    return held ?? this.keysOf(attempt).map((key) => ({ key, since: this.now(), lastPlace: true }));
  }

  /** Gives back reserved places, which stop being in flight once the database has them back. */
  private async giveBack(held: Held[]): Promise<void> {
    await Promise.all(
      held.map(async ({ key, since }) => {
        try {
          await this.rows.giveBack(key.subject, key.windows, since, this.now());
        } finally {
          this.track(key.subject, -1);
        }
      }),
    );
  }

  private pending(subject: string): number {
    return this.inFlight.get(subject) ?? 0;
  }

  private track(subject: string, by: number): void {
    const now = (this.inFlight.get(subject) ?? 0) + by;
    if (now > 0) this.inFlight.set(subject, now);
    else this.inFlight.delete(subject);
  }
}

function windowOf({ points, seconds }: Limit): WindowLimit {
  return { points, ms: seconds * 1000 };
}

function refusal(ms: number): TooManyAttempts {
  return new TooManyAttempts(Math.max(1, Math.ceil(ms / 1000)));
}
