import type { Knex } from 'knex';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginAttempt, LoginThrottle } from '../../application/ports.js';
import { TooManyAttempts } from '../../domain/errors.js';
import { isSqlite } from '../persistence/dialect.js';

/** At most `points` attempts in a window of `seconds`. */
export interface Limit {
  points: number;
  seconds: number;
}

export interface LoginLimits {
  /** Per account, whatever the client: successive windows give progressively longer waits. */
  account: Limit[];
  /** Per client address, across accounts (password spraying). */
  client: Limit[];
}

export const RATE_LIMIT_TABLE = 'rate_limits';

export type Store = { kind: 'database'; db: Knex; database?: string } | { kind: 'memory' };

/** One window of one limit: its counter in the store, and the keys this process refuses from memory. */
interface Window {
  name: string;
  points: number;
  counter: RateLimiterAbstract;
  blocked: RateLimiterMemory;
}

/** A window and the key it counts for one attempt. */
type Count = { window: Window; key: string };

/**
 * Login throttling with rate-limiter-flexible, its counters in the database so that every instance of the
 * service shares them. Each limit is a fixed window counted atomically by the database (an upsert), so parallel
 * attempts are counted one by one and none slips past a limit.
 *
 * An attempt is counted (reserved) before its password is checked, and stays counted only when the password was
 * checked and wrong: a success gives the client its attempt back and clears the account, a check that could not
 * run gives both back, and a refusal gives back everything it reserved. Once failures fill a window, the key is
 * refused from this process's memory until the window ends, without touching the database; the client's windows
 * are counted before the account's, so an address over its limit creates no row for the names it tries.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly account: Window[];
  private readonly client: Window[];
  /** Attempts of this process between begin() and their outcome, by window and key. */
  private readonly inFlight = new Map<string, number>();

  /** `name` keeps the counters of other throttles built on this one (password reset, tokens) apart. */
  constructor(limits: LoginLimits, store: Store, name = 'login') {
    this.account = limits.account.map((l, i) => window(store, `${name}_account_${i}`, l));
    this.client = limits.client.map((l, i) => window(store, `${name}_client_${i}`, l));
  }

  async begin(attempt: LoginAttempt): Promise<void> {
    const groups = this.countsOf(attempt);
    const blockedMs = await msBlocked(groups.flat());
    if (blockedMs > 0) throw refusal(blockedMs);

    const reserved: Count[] = [];
    for (const group of groups) {
      // Tracked before the store counts it, so this process never takes its own attempts for failures.
      for (const count of group) this.track(count, 1);
      const results = await Promise.allSettled(group.map(({ window: w, key }) => w.counter.consume(key)));
      const refused: Array<{ count: Count; res: RateLimiterRes }> = [];
      let failure: Error | undefined;
      results.forEach((r, i) => {
        const count = group[i]!;
        if (r.status === 'fulfilled') reserved.push(count);
        else if (r.reason instanceof RateLimiterRes) {
          reserved.push(count); // the store counted it even though it refused
          refused.push({ count, res: r.reason });
        } else {
          this.track(count, -1);
          failure ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason)); // the store failed: not a refusal
        }
      });
      if (refused.length === 0 && failure === undefined) continue;
      await this.giveBack(reserved);
      if (failure !== undefined) throw failure;
      await Promise.all(refused.map(({ count }) => this.blockIfFull(count)));
      throw refusal(Math.max(...refused.map((r) => r.res.msBeforeNext)));
    }
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    // The failure stays counted; a window it filled refuses the key from memory from now on.
    const counts = this.countsOf(attempt).flat();
    for (const count of counts) this.track(count, -1);
    await Promise.all(counts.map((count) => this.blockIfFull(count)));
  }

  async cancel(attempt: LoginAttempt): Promise<void> {
    await this.giveBack(this.countsOf(attempt).flat());
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    const [client, account] = this.countsOf(attempt);
    for (const count of account) this.track(count, -1);
    await Promise.all(account.map(({ window: w, key }) => Promise.all([w.counter.delete(key), w.blocked.delete(key)])));
    await this.giveBack(client);
  }

  /**
   * When failures fill the window (its count, less this process's attempts still in flight, is at the limit),
   * the key is refused from memory until the window ends. Attempts of other instances still in flight can make
   * this early by the length of one password check; the database count stays the authority either way.
   */
  private async blockIfFull(count: Count): Promise<void> {
    const res = await count.window.counter.get(count.key);
    if (res && res.msBeforeNext > 0 && res.consumedPoints - this.pending(count) >= count.window.points) {
      await block(count, res.msBeforeNext);
    }
  }

  /** The client's windows, then the account's. */
  private countsOf({ account, client }: LoginAttempt): [Count[], Count[]] {
    return [
      client === undefined ? [] : this.client.map((w) => ({ window: w, key: client })),
      account === undefined ? [] : this.account.map((w) => ({ window: w, key: account })),
    ];
  }

  /** Gives back reserved attempts, which stop being in flight once the store has them back. */
  private async giveBack(counts: Count[]): Promise<void> {
    await Promise.all(
      counts.map(async (count) => {
        try {
          await count.window.counter.reward(count.key, 1);
        } finally {
          this.track(count, -1);
        }
      }),
    );
  }

  private pending({ window: w, key }: Count): number {
    return this.inFlight.get(`${w.name}:${key}`) ?? 0;
  }

  private track({ window: w, key }: Count, by: number): void {
    const id = `${w.name}:${key}`;
    const now = (this.inFlight.get(id) ?? 0) + by;
    if (now > 0) this.inFlight.set(id, now);
    else this.inFlight.delete(id);
  }
}

function refusal(ms: number): TooManyAttempts {
  return new TooManyAttempts(Math.max(1, Math.ceil(ms / 1000)));
}

/** How long the longest memory block among these keys still lasts, 0 when none is blocked. */
async function msBlocked(counts: Count[]): Promise<number> {
  const waits = await Promise.all(
    counts.map(async ({ window: w, key }) => {
      const res = await w.blocked.get(key);
      return res && res.consumedPoints > w.blocked.points ? res.msBeforeNext : 0;
    }),
  );
  return Math.max(0, ...waits);
}

async function block({ window: w, key }: Count, ms: number): Promise<void> {
  await w.blocked.block(key, ms / 1000);
}

function window(store: Store, name: string, limit: Limit): Window {
  return {
    name,
    points: limit.points,
    counter: limiter(store, name, limit),
    blocked: new RateLimiterMemory({ keyPrefix: `${name}_blocked`, points: 1, duration: limit.seconds }),
  };
}

export function limiter(
  store: Store,
  keyPrefix: string,
  { points, seconds }: Limit,
  extra: Record<string, unknown> = {},
): RateLimiterAbstract {
  const common = { keyPrefix, points, duration: seconds, ...extra };
  if (store.kind === 'memory') return new RateLimiterMemory(common);
  // The table is created by the service's migrations, with the columns the library expects.
  const shared = { ...common, storeClient: store.db, storeType: 'knex', tableName: RATE_LIMIT_TABLE, tableCreated: true };
  if (isSqlite(store.db)) return new RateLimiterSQLite(shared);
  return new RateLimiterMySQL({ ...shared, dbName: store.database });
}

/** Parses `5/60,20/900` (points per seconds, comma-separated). */
export function parseLimits(text: string): Limit[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(part);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`"${part}" is not points/seconds`);
    return { points: Number(match[1]), seconds: Number(match[2]) };
  });
}
