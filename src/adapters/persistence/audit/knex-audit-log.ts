import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import type { AuditDetails, AuditEntry, AuditLog } from '../../../application/audit/ports.js';

const MAX_DETAIL_TEXT = 256;
const MAX_DETAILS_JSON = 4096;

const cut = (value: string | undefined, max: number): string | null => (value ? [...value].slice(0, max).join('') : null);

/** Keeps entries small whatever a caller passes: long strings are cut, and an oversized object is dropped. */
function boundedDetails(details: AuditDetails = {}): string {
  const bounded = Object.fromEntries(
    Object.entries(details).map(([key, value]) => [key, typeof value === 'string' ? cut(value, MAX_DETAIL_TEXT) : value]),
  );
  const json = JSON.stringify(bounded);
  return json.length <= MAX_DETAILS_JSON ? json : JSON.stringify({ truncated: true });
}

/**
 * Writes audit entries with the knex it is given: a use case's transaction (TxScope.audit), or the pool for
 * entries that describe no other change (a failed sign-in). Ids are UUIDv7: time-ordered.
 */
export class KnexAuditLog implements AuditLog {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const { context = {} } = entry;
    await this.db('audit').insert({
      id: uuidv7(),
      at: this.now(),
      type: entry.type,
      outcome: entry.outcome,
      actor: entry.actor,
      subjectId: entry.subjectId,
      client: cut(context.client, 64),
      userAgent: cut(context.userAgent, 256),
      requestId: cut(context.requestId, 128),
      details: boundedDetails(entry.details),
    });
  }
}
