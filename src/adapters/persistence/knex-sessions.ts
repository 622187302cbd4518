import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Sessions } from '../../application/ports.js';

/** Sessions are stored under a hash of their id: the table alone cannot be replayed as cookies. */
export function sessionRowId(sessionKey: string): string {
  return createHash('sha256').update(sessionKey).digest('hex');
}

export class KnexSessions implements Sessions {
  constructor(protected readonly db: Knex | Knex.Transaction) {}

  async end(sessionKey: string): Promise<void> {
    await this.db('sessions').where({ id: sessionRowId(sessionKey) }).delete();
  }

  async endAllOf(userId: string, keep?: string): Promise<void> {
    const query = this.db('sessions').where({ userId });
    if (keep !== undefined) query.whereNot({ id: sessionRowId(keep) });
    await query.delete();
  }
}
