import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { SessionInfo, Sessions } from '../../application/ports.js';
import { isSqlite } from './db.js';

/** Sessions are stored under a hash of their secret: the table alone cannot be replayed as cookies or tokens. */
export function sessionRowId(sessionKey: string): string {
  return createHash('sha256').update(sessionKey).digest('hex');
}

interface SessionRow {
  publicId: string;
  userId: string;
  type: 'cookie' | 'token';
  createdAt: number | string;
  lastSeenAt: number | string | null;
  expiresAt: number | string;
  absoluteExpiresAt: number | string;
  ip: string | null;
  userAgent: string | null;
}

function toInfo(row: SessionRow): SessionInfo {
  return {
    id: row.publicId,
    userId: row.userId,
    type: row.type,
    createdAt: new Date(Number(row.createdAt)),
    lastSeenAt: new Date(Number(row.lastSeenAt ?? row.createdAt)),
    expiresAt: new Date(Math.min(Number(row.expiresAt), Number(row.absoluteExpiresAt))),
    ip: row.ip,
    userAgent: row.userAgent,
  };
}

export class KnexSessions implements Sessions {
  constructor(protected readonly db: Knex | Knex.Transaction) {}

  async listOf(userId: string, now: Date): Promise<SessionInfo[]> {
    const rows: SessionRow[] = await this.live(now.getTime())
      .where({ userId })
      .select<SessionRow[]>('publicId', 'userId', 'type', 'createdAt', 'lastSeenAt', 'expiresAt', 'absoluteExpiresAt', 'ip', 'userAgent')
      .orderBy([
        { column: 'createdAt', order: 'desc' },
        { column: 'publicId', order: 'desc' },
      ]);
    return rows.map(toInfo);
  }

  async isLive(userId: string, sessionId: string, now: Date): Promise<boolean> {
    return (await this.live(now.getTime()).first('publicId').where({ userId, publicId: sessionId })) !== undefined;
  }

  async endOne(userId: string, sessionId: string): Promise<string[]> {
    const deleted = await this.db('sessions').where({ userId, publicId: sessionId }).delete();
    return Number(deleted) > 0 ? [sessionId] : [];
  }

  async endAllOf(userId: string, keep?: string): Promise<string[]> {
    const query = this.db('sessions').where({ userId }).select('publicId');
    if (keep !== undefined) query.whereNot({ publicId: keep });
    // On MySQL the rows (and the gap for new ones of this user) stay locked until the transaction ends, so the
    // ids in the event are exactly the sessions deleted.
    if (!isSqlite(this.db as Knex)) query.forUpdate();
    const ids = (await query).map((r: { publicId: string }) => r.publicId);
    if (ids.length) await this.db('sessions').where({ userId }).whereIn('publicId', ids).delete();
    return ids;
  }

  private live(now: number): Knex.QueryBuilder {
    return this.db('sessions').where('expiresAt', '>', now).andWhere('absoluteExpiresAt', '>', now);
  }
}
