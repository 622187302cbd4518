import type { Knex } from 'knex';
import type { OutboxLag, OutboxQueue, OutboxRecord, OutboxReport, ParkedOutboxRow } from '../../application/outbox/ports.js';
import { toDate } from './db.js';

/** An outbox row as the drivers return it: MySQL gives BIGINT and dates as numbers or strings on some paths. */
interface OutboxRow {
  seq: number | string;
  id: string;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  payload: string;
  createdAt: Date | number;
  publishedAt: Date | number | null;
  parkedAt: Date | number | null;
  lastError: string | null;
}

/** The relay's reads and writes on the outbox table. Every query here is served by `outbox_pending_idx`. */
export class KnexOutboxQueue implements OutboxQueue, OutboxReport {
  constructor(private readonly db: Knex) {}

  private pendingRows() {
    return this.db<OutboxRow>('outbox').whereNull('publishedAt').whereNull('parkedAt');
  }

  async pending(limit: number): Promise<OutboxRecord[]> {
    const rows = await this.pendingRows()
      .select('seq', 'id', 'aggregatetype', 'aggregateid', 'type', 'payload', 'createdAt')
      .orderBy('seq')
      .limit(limit);
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      aggregateType: r.aggregatetype,
      aggregateId: r.aggregateid,
      type: r.type,
      payload: r.payload,
      createdAt: toDate(r.createdAt),
    }));
  }

  async markPublished(seqs: number[], at: Date): Promise<void> {
    await this.db('outbox').whereIn('seq', seqs).update({ publishedAt: at });
  }

  async park(seq: number, error: string, at: Date): Promise<void> {
    await this.db('outbox')
      .where({ seq })
      .update({ parkedAt: at, lastError: error.slice(0, 10_000) });
  }

  async deletePublishedBefore(cutoff: Date, limit: number): Promise<number> {
    // Select then delete by key: DELETE ... LIMIT is not portable, and small chunks keep locks short.
    const seqs = (await this.db<OutboxRow>('outbox').select('seq').where('publishedAt', '<', cutoff).orderBy('seq').limit(limit)).map(
      (r) => r.seq,
    );
    if (seqs.length === 0) return 0;
    return Number(await this.db('outbox').whereIn('seq', seqs).whereNotNull('publishedAt').delete());
  }

  async lag(now: Date): Promise<OutboxLag> {
    const row = await this.pendingRows().count({ pending: '*' }).min({ oldest: 'createdAt' }).first();
    const pending = Number(row?.pending ?? 0);
    const oldest = row?.oldest == null ? null : toDate(row.oldest as Date | number);
    return { pending, oldestAgeMs: oldest ? Math.max(0, now.getTime() - oldest.getTime()) : null };
  }

  /** Rows published and not yet deleted by retention, and rows parked; for the command line, not the relay. */
  async counts(): Promise<{ published: number; parked: number }> {
    const published = await this.db('outbox').whereNotNull('publishedAt').count({ n: '*' }).first();
    const parked = await this.parkedRows().count({ n: '*' }).first();
    return { published: Number(published?.n ?? 0), parked: Number(parked?.n ?? 0) };
  }

  /** The first `limit` parked rows in seq order, each with the error that set it aside. */
  async parked(limit: number): Promise<ParkedOutboxRow[]> {
    const rows = await this.parkedRows().select('seq', 'id', 'type', 'aggregateid', 'parkedAt', 'lastError').orderBy('seq').limit(limit);
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      type: r.type,
      aggregateId: r.aggregateid,
      parkedAt: toDate(r.parkedAt!), // parkedRows() holds only parked rows
      lastError: r.lastError ?? null,
    }));
  }

  private parkedRows() {
    return this.db<OutboxRow>('outbox').whereNull('publishedAt').whereNotNull('parkedAt');
  }
}
