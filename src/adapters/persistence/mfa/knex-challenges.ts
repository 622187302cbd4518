import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { ChallengePurpose, ChallengeStore } from '../../../application/mfa/ports.js';

const TABLE = 'webauthn_challenges';
const hashOf = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

export class KnexChallenges implements ChallengeStore {
  constructor(private readonly db: Knex) {}

  async issue(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date, ttlMs: number): Promise<void> {
    // Expired challenges are cleared as new ones are issued: the table holds only the last few minutes' worth.
    await this.db(TABLE).where('expiresAt', '<=', now.getTime()).delete();
    await this.db(TABLE).insert({ challengeHash: hashOf(challenge), purpose, userId, expiresAt: now.getTime() + ttlMs });
  }

  async consume(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date): Promise<boolean> {
    const query = this.db(TABLE)
      .where({ challengeHash: hashOf(challenge), purpose })
      .andWhere('expiresAt', '>', now.getTime());
    if (userId === null) query.whereNull('userId');
    else query.andWhere({ userId });
    return Number(await query.delete()) === 1;
  }
}
