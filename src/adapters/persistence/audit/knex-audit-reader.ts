import type { Knex } from 'knex';
import type { AuditPage, AuditQuery, AuditReader, AuditRecord } from '../../../application/audit/ports.js';
import { toDate } from '../db.js';

interface AuditRow {
  id: string;
  at: Date | number;
  type: string;
  outcome: string;
  actor: string;
  subjectId: string | null;
  client: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: string;
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: toDate(row.at),
    type: row.type as AuditRecord['type'],
    outcome: row.outcome as AuditRecord['outcome'],
    actor: row.actor,
    subjectId: row.subjectId,
    client: row.client,
    userAgent: row.userAgent,
    requestId: row.requestId,
    details: JSON.parse(row.details) as AuditRecord['details'],
  };
}

export class KnexAuditReader implements AuditReader {
  constructor(private readonly db: Knex) {}

  async list({ subjectId, types, since, until, limit, after }: AuditQuery): Promise<AuditPage> {
    // Keyset paging on the time-ordered id: a page costs the same wherever it is in the trail.
    const query = this.db<AuditRow>('audit')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (subjectId !== undefined) query.where({ subjectId });
    if (types !== undefined) query.whereIn('type', [...types]);
    if (since !== undefined) query.where('at', '>=', since);
    if (until !== undefined) query.where('at', '<', until);
    if (after !== undefined) query.where('id', '<', after);
    const rows = await query;
    const page = rows.slice(0, limit).map(toRecord);
    return { entries: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    // Select then delete by key: DELETE ... LIMIT is not portable, and small batches keep locks short.
    const ids = (await this.db('audit').select('id').where('at', '<', cutoff).orderBy('at').limit(limit)).map((r: { id: string }) => r.id);
    if (ids.length === 0) return 0;
    return Number(await this.db('audit').whereIn('id', ids).delete());
  }
}
