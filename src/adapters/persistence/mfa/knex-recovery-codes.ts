import type { Knex } from 'knex';
import type { RecoveryCodeStore } from '../../../application/mfa/ports.js';

const TABLE = 'mfa_recovery_codes';

export class KnexRecoveryCodes implements RecoveryCodeStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async replace(userId: string, hashes: string[]): Promise<void> {
    await this.db(TABLE).where({ userId }).delete();
    await this.db(TABLE).insert(hashes.map((codeHash) => ({ userId, codeHash, usedAt: null })));
  }

  async use(userId: string, hash: string, now: Date): Promise<boolean> {
    const updated = await this.db(TABLE).where({ userId, codeHash: hash }).whereNull('usedAt').update({ usedAt: now });
    return Number(updated) === 1;
  }

  async remaining(userId: string): Promise<number> {
    const [row] = await this.db(TABLE).where({ userId }).whereNull('usedAt').count({ n: '*' });
    return Number(row?.n ?? 0);
  }

  async removeAll(userId: string): Promise<void> {
    await this.db(TABLE).where({ userId }).delete();
  }
}
