import type { Knex } from 'knex';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { CodeThrottle } from '../../application/mfa/ports.js';
import { TooManyAttempts } from '../../domain/errors.js';
import { isSqlite } from '../persistence/dialect.js';
import { RATE_LIMIT_TABLE } from './rate-limiter-registration-throttle.js';

/** 5 codes in 5 minutes per account: a 6-digit code would otherwise fall to guessing in about 100,000 tries. */
export const CODE_LIMIT = { points: 5, seconds: 300 };

type Store = { kind: 'database'; db: Knex; database?: string } | { kind: 'memory' };

/** Second-factor attempts per account, counted atomically in the database like the login throttle. */
export class RateLimiterCodeThrottle implements CodeThrottle {
  private readonly limiter: RateLimiterAbstract;

  constructor(store: Store, limit = CODE_LIMIT) {
    const common = { keyPrefix: 'mfa_code', points: limit.points, duration: limit.seconds };
    if (store.kind === 'memory') this.limiter = new RateLimiterMemory(common);
    else {
      const shared = { ...common, storeClient: store.db, storeType: 'knex', tableName: RATE_LIMIT_TABLE, tableCreated: true };
      this.limiter = isSqlite(store.db) ? new RateLimiterSQLite(shared) : new RateLimiterMySQL({ ...shared, dbName: store.database });
    }
  }

  async begin(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new TooManyAttempts(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      throw err;
    }
  }

  /** Only the right attempt is given back: wrong guesses before it still count. */
  async succeeded(userId: string): Promise<void> {
    await this.limiter.reward(userId, 1);
  }
}
