import type { Knex } from 'knex';
import type { TotpRecord, TotpStore } from '../../../application/mfa/ports.js';
import { isUniqueViolation } from '../db.js';

const TABLE = 'mfa_totp';

export class KnexTotpStore implements TotpStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async find(userId: string): Promise<TotpRecord | undefined> {
    const row = await this.db(TABLE)
      .first<{ secretSealed: string; confirmedAt: Date | number | null; lastUsedStep: number | string } | undefined>(
        'secretSealed',
        'confirmedAt',
        'lastUsedStep',
      )
      .where({ userId });
    return row && { userId, secretSealed: row.secretSealed, confirmed: row.confirmedAt !== null, lastUsedStep: Number(row.lastUsedStep) };
  }

  async savePending(userId: string, secretSealed: string, now: Date): Promise<boolean> {
    // Replaces only an unconfirmed row; the insert then fails on the primary key if a confirmed one exists.
    await this.db(TABLE).where({ userId }).whereNull('confirmedAt').delete();
    try {
      await this.db(TABLE).insert({ userId, secretSealed, createdAt: now, confirmedAt: null, lastUsedStep: 0 });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async confirm(userId: string, step: number, now: Date): Promise<boolean> {
    const updated = await this.db(TABLE).where({ userId }).whereNull('confirmedAt').update({ confirmedAt: now, lastUsedStep: step });
    return Number(updated) === 1;
  }

  async useStep(userId: string, step: number): Promise<boolean> {
    const updated = await this.db(TABLE)
      .where({ userId })
      .whereNotNull('confirmedAt')
      .andWhere('lastUsedStep', '<', step)
      .update({ lastUsedStep: step });
    return Number(updated) === 1;
  }

  async remove(userId: string): Promise<boolean> {
    const confirmed = await this.db(TABLE).where({ userId }).whereNotNull('confirmedAt').delete();
    await this.db(TABLE).where({ userId }).delete();
    return Number(confirmed) === 1;
  }
}
