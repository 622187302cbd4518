import type { Knex } from 'knex';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RegistrationThrottle } from '../../application/ports.js';
import { TooManyAttempts } from '../../domain/errors.js';
import { isSqlite } from '../persistence/dialect.js';
import type { Limit } from './limits.js';

export const RATE_LIMIT_TABLE = 'rate_limits';

export type Store = { kind: 'database'; db: Knex; database?: string } | { kind: 'memory' };

/**
 * Registrations per client address, counted in the same table as the login throttle so that every instance
 * shares them. Every registration that gets past validation counts, taken names included (a 409 tells whether a
 * name exists). Once a window is full the address is refused from this process's memory until the window ends
 * (rate-limiter-flexible's in-memory block), and a refusal gives back what it took, so a flood writes nothing.
 */
export class RateLimiterRegistrationThrottle implements RegistrationThrottle {
  private readonly windows: RateLimiterAbstract[];

  constructor(limits: Limit[], store: Store) {
    this.windows = limits.map((l, i) => limiter(store, `register_client_${i}`, l, { inMemoryBlockOnConsumed: l.points }));
  }

  async begin(client: string): Promise<void> {
    const results = await Promise.allSettled(this.windows.map((w) => w.consume(client)));
    const counted: RateLimiterAbstract[] = [];
    const waits: number[] = [];
    let failure: Error | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') counted.push(this.windows[i]!);
      else if (r.reason instanceof RateLimiterRes) {
        // Refused from memory, nothing was counted; refused by the store, it was.
        if (r.reason.consumedPoints > 0) counted.push(this.windows[i]!);
        waits.push(r.reason.msBeforeNext);
      } else failure ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
    });
    if (waits.length === 0 && failure === undefined) return;
    await Promise.all(counted.map((w) => w.reward(client, 1)));
    if (failure !== undefined) throw failure;
    throw new TooManyAttempts(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
  }

  async cancel(client: string): Promise<void> {
    await Promise.all(this.windows.map((w) => w.reward(client, 1)));
  }
}

function limiter(store: Store, keyPrefix: string, { points, seconds }: Limit, extra: Record<string, unknown> = {}): RateLimiterAbstract {
  const common = { keyPrefix, points, duration: seconds, ...extra };
  if (store.kind === 'memory') return new RateLimiterMemory(common);
  // The table is created by the service's migrations, with the columns the library expects.
  const shared = { ...common, storeClient: store.db, storeType: 'knex', tableName: RATE_LIMIT_TABLE, tableCreated: true };
  if (isSqlite(store.db)) return new RateLimiterSQLite(shared);
  return new RateLimiterMySQL({ ...shared, dbName: store.database });
}
