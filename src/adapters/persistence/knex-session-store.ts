import type { Knex } from 'knex';
import { KnexSessions, sessionRowId } from './knex-sessions.js';

export type SessionData = Record<string, unknown> & { userId?: string };

/**
 * The session records behind the cookie. A session expires when idle past its rolling deadline, and in any
 * case at its absolute deadline, fixed when it was created and never extended.
 */
export class KnexSessionStore extends KnexSessions {
  constructor(
    db: Knex,
    private readonly absoluteMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super(db);
  }

  async load(sessionKey: string): Promise<SessionData | undefined> {
    const now = this.now();
    const row = await this.db('sessions')
      .first('data')
      .where({ id: sessionRowId(sessionKey) })
      .andWhere('expiresAt', '>', now)
      .andWhere('absoluteExpiresAt', '>', now);
    return row ? (JSON.parse(row.data) as SessionData) : undefined;
  }

  async create(sessionKey: string, data: SessionData, idleMs: number): Promise<void> {
    const now = this.now();
    await this.db('sessions').insert({
      id: sessionRowId(sessionKey),
      userId: data.userId ?? null,
      data: JSON.stringify(data),
      createdAt: now,
      expiresAt: now + idleMs,
      absoluteExpiresAt: now + this.absoluteMs,
    });
  }

  /**
   * Saves an existing session and pushes its idle deadline. Returns false when the session no longer exists
   * (logged out, or ended by a password change or deletion while this request ran): it is not brought back.
   */
  async save(sessionKey: string, data: SessionData, idleMs: number): Promise<boolean> {
    const updated = await this.db('sessions')
      .where({ id: sessionRowId(sessionKey) })
      .update({ userId: data.userId ?? null, data: JSON.stringify(data), expiresAt: this.now() + idleMs });
    return Number(updated) > 0;
  }

  /** Deletes expired records; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    return Number(await this.db('sessions').where('expiresAt', '<=', now).orWhere('absoluteExpiresAt', '<=', now).delete());
  }
}
