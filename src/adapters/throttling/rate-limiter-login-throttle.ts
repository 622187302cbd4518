import type { Knex } from 'knex';
import {
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { LoginAttempt, LoginThrottle } from '../../application/ports.js';
import { TooManyAttempts } from '../../domain/errors.js';
import { isSqlite } from '../persistence/db.js';

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

/**
 * Login throttling with rate-limiter-flexible, its counters in the database so that every instance of the
 * service shares them. Each limit is a fixed window counted atomically by the database (an upsert), so parallel
 * attempts are counted one by one and none slips past a limit.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly account: RateLimiterAbstract[];
  private readonly client: RateLimiterAbstract[];

  /** `name` keeps the counters of other throttles built on this one (password reset, tokens) apart. */
  constructor(limits: LoginLimits, store: Store, name = 'login') {
    this.account = limits.account.map((l, i) => limiter(store, `${name}_account_${i}`, l));
    this.client = limits.client.map((l, i) => limiter(store, `${name}_client_${i}`, l));
  }

  async begin({ account, client }: LoginAttempt): Promise<void> {
    const consumed = [...this.account.map((l) => l.consume(account))];
    if (client !== undefined) consumed.push(...this.client.map((l) => l.consume(client)));
    const results = await Promise.allSettled(consumed);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (refusals.length === 0) return;
    const waits = refusals.map((reason) => {
      if (reason instanceof RateLimiterRes) return reason.msBeforeNext;
      throw reason; // the store failed: not a refusal
    });
    throw new TooManyAttempts(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
  }

  async cancel({ account, client }: LoginAttempt): Promise<void> {
    await Promise.all(this.account.map((l) => l.reward(account, 1)));
    if (client !== undefined) await Promise.all(this.client.map((l) => l.reward(client, 1)));
  }

  async succeeded({ account, client }: LoginAttempt): Promise<void> {
    await Promise.all(this.account.map((l) => l.delete(account)));
    if (client !== undefined) await Promise.all(this.client.map((l) => l.reward(client, 1)));
  }
}

function limiter(store: Store, keyPrefix: string, { points, seconds }: Limit): RateLimiterAbstract {
  const common = { keyPrefix, points, duration: seconds };
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
