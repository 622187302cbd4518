import type { Knex } from 'knex';
import type { MailKind, MailOutbox, MailQueueCounts, MailReport, MailToSend, ParkedMail } from '../../../application/email/ports.js';
import { toDate } from '../db.js';

/**
 * The mail sender's reads and writes on `mail_outbox`. A message leaves the queue sent or parked, and either
 * way its params (which may hold a token) are erased.
 */
/** A mail_outbox row as the drivers return it (BIGINT and times may come back as strings). */
interface MailOutboxRow {
  seq: number | string;
  id: string;
  kind: MailKind;
  userId: string;
  recipient: string;
  params: string | null;
  attempts: number | string;
  nextAttemptAt: number | string;
  sentAt: Date | number | null;
  parkedAt: Date | number | null;
  lastError: string | null;
}

export class KnexMailOutbox implements MailOutbox, MailReport {
  constructor(private readonly db: Knex) {}

  private table() {
    return this.db<MailOutboxRow>('mail_outbox');
  }

  private waiting() {
    return this.table().whereNull('sentAt').whereNull('parkedAt');
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<MailToSend[]> {
    const rows = await this.waiting()
      .where('nextAttemptAt', '<=', now.getTime())
      .orderBy('seq')
      .limit(limit)
      .select('seq', 'id', 'kind', 'recipient', 'params', 'attempts', 'nextAttemptAt');
    const claimed: MailToSend[] = [];
    for (const row of rows) {
      // A conditional update claims the row: a second sender's update matches nothing and skips it.
      const updated = await this.table()
        .where({ seq: row.seq, nextAttemptAt: row.nextAttemptAt })
        .whereNull('sentAt')
        .whereNull('parkedAt')
        .update({ nextAttemptAt: now.getTime() + leaseMs, attempts: Number(row.attempts) + 1 });
      if (Number(updated) !== 1) continue;
      claimed.push({
        seq: Number(row.seq),
        id: row.id,
        kind: row.kind,
        to: row.recipient,
        params: JSON.parse(row.params ?? '{}') as Record<string, string>,
        attempts: Number(row.attempts) + 1,
      });
    }
    return claimed;
  }

  async markSent(seq: number, at: Date): Promise<void> {
    await this.table().where({ seq }).update({ sentAt: at, params: null, lastError: null });
  }

  async retryAt(seq: number, at: Date, error: string): Promise<void> {
    await this.table()
      .where({ seq })
      .whereNull('sentAt')
      .update({ nextAttemptAt: at.getTime(), lastError: error.slice(0, 2000) });
  }

  async park(seq: number, error: string, at: Date): Promise<void> {
    await this.table()
      .where({ seq })
      .update({ parkedAt: at, params: null, lastError: error.slice(0, 2000) });
  }

  async counts(): Promise<MailQueueCounts> {
    const count = async (q: Knex.QueryBuilder) =>
      Number(((await q.count({ n: '*' }).first()) as { n?: number | string } | undefined)?.n ?? 0);
    return {
      pending: await count(this.waiting()),
      parked: await count(this.table().whereNotNull('parkedAt')),
      sent: await count(this.table().whereNotNull('sentAt')),
    };
  }

  async deleteSentBefore(cutoff: Date, limit: number): Promise<number> {
    // Select then delete by key: DELETE ... LIMIT is not portable, and small chunks keep locks short.
    const seqs = (await this.table().select('seq').where('sentAt', '<', cutoff).orderBy('seq').limit(limit)).map((r) => r.seq);
    if (seqs.length === 0) return 0;
    return Number(await this.table().whereIn('seq', seqs).whereNotNull('sentAt').delete());
  }

  /** The first `limit` parked messages, each with the reason: for an operator (`outbox-status`). */
  async parked(limit: number): Promise<ParkedMail[]> {
    const rows = await this.table()
      .whereNotNull('parkedAt')
      .orderBy('seq')
      .limit(limit)
      .select('seq', 'id', 'kind', 'userId', 'parkedAt', 'lastError');
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      kind: r.kind,
      userId: r.userId,
      parkedAt: toDate(r.parkedAt!),
      lastError: r.lastError ?? null,
    }));
  }
}
