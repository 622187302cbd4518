import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { LoadedSession, NewSession, SessionData, SessionStore, SessionType } from '../../application/sessions/ports.js';
import { KnexSessions, sessionRowId } from './knex-sessions.js';
import { preparedRead } from './prepared-read.js';

export type { LoadedSession, NewSession, SessionData, SessionType } from '../../application/sessions/ports.js';

const MAX_USER_AGENT = 512;

interface LiveSessionRow {
  data: string;
  publicId: string;
  userId: string;
  type: SessionType;
}
const LIVE_SESSION =
  'SELECT `data`, `public_id` AS `publicId`, `user_id` AS `userId`, `type` FROM `sessions`' +
  ' WHERE `id` = ? AND `expires_at` > ? AND `absolute_expires_at` > ?';

/**
 * The session records behind the cookie or the session token. A session expires when idle past its rolling
 * deadline, and in any case at its absolute deadline, fixed when it was created and never extended.
 */
export class KnexSessionStore extends KnexSessions implements SessionStore {
  constructor(
    db: Knex,
    private readonly absoluteMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super(db);
  }

  /** Read on every authenticated request: one prepared statement, not a query built each time. */
  private readonly findLive = preparedRead<LiveSessionRow>(this.db as Knex, LIVE_SESSION);

  /**
   * The live session under this secret, if it was made for this kind of client: a cookie's secret is not
   * accepted as a bearer token, nor a token's as a cookie.
   */
  async loadRecord(sessionKey: string, type: SessionType = 'cookie'): Promise<LoadedSession | undefined> {
    const now = this.now();
    const row = await this.findLive([sessionRowId(sessionKey), now, now]);
    if (!row || row.type !== type) return undefined;
    return { data: JSON.parse(row.data) as SessionData, publicId: row.publicId, userId: row.userId, type: row.type };
  }

  /** The data of the live cookie session under this secret. */
  async load(sessionKey: string): Promise<SessionData | undefined> {
    return (await this.loadRecord(sessionKey))?.data;
  }

  async create(sessionKey: string, data: SessionData, idleMs: number, given: Partial<NewSession> = {}): Promise<void> {
    const session: NewSession = { publicId: randomUUID(), type: 'cookie', ip: null, userAgent: null, ...given };
    const now = this.now();
    await this.db('sessions').insert({
      id: sessionRowId(sessionKey),
      userId: data.userId ?? null,
      data: JSON.stringify(data),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + idleMs,
      absoluteExpiresAt: now + this.absoluteMs,
      publicId: session.publicId,
      type: session.type,
      ip: session.ip?.slice(0, 64) ?? null,
      userAgent: session.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    });
  }

  /**
   * Saves an existing session, pushes its idle deadline and records it as seen now. Returns false when the
   * session no longer exists (ended while this request ran): it is not brought back.
   */
  async save(sessionKey: string, data: SessionData, idleMs: number): Promise<boolean> {
    const now = this.now();
    const updated = await this.db('sessions')
      .where({ id: sessionRowId(sessionKey) })
      .update({ userId: data.userId ?? null, data: JSON.stringify(data), expiresAt: now + idleMs, lastSeenAt: now });
    return Number(updated) > 0;
  }

  /** Deletes one record by its secret (a session that never got an owner). */
  async end(sessionKey: string): Promise<void> {
    await this.db('sessions')
      .where({ id: sessionRowId(sessionKey) })
      .delete();
  }

  /** Deletes expired records; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    return Number(await this.db('sessions').where('expiresAt', '<=', now).orWhere('absoluteExpiresAt', '<=', now).delete());
  }
}
