import type { Clock, LogSink } from '../ports.js';
import type { AuditReader } from './ports.js';

const BATCH = 1000;
/** Retention is counted in days: looking once an hour is plenty. */
const PERIOD_MS = 3_600_000;
/** A periodic run stops after this many batches and goes on at the next tick, so it never holds up its host loop for long. */
const BATCHES_PER_TICK = 20;

/**
 * Deletes audit entries older than the retention, in batches of a thousand rows (short transactions, short
 * locks). Runs in the relay process, beside the outbox housekeeping (or in the API when no relay is configured).
 */
export class PurgeAuditTrail {
  constructor(
    private readonly reader: AuditReader,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    private readonly log?: LogSink,
  ) {}

  /** Deletes up to `maxBatches` batches; returns how many entries, and whether some are left. */
  async execute(maxBatches = Number.POSITIVE_INFINITY): Promise<{ deleted: number; more: boolean }> {
    const cutoff = new Date(this.clock.now().getTime() - this.retentionMs);
    let deleted = 0;
    let n = BATCH;
    for (let batches = 0; n === BATCH && batches < maxBatches; batches += 1) {
      n = await this.reader.deleteBefore(cutoff, BATCH);
      deleted += n;
    }
    if (deleted > 0) this.log?.info({ deleted, cutoff }, 'audit entries past retention deleted');
    return { deleted, more: n === BATCH };
  }

  /**
   * For a loop that ticks more often (the relay's housekeeping, a timer): runs once an hour, the first time at
   * once, and on the next ticks again while a backlog is left.
   */
  periodically(periodMs = PERIOD_MS): () => Promise<unknown> {
    let last = Number.NEGATIVE_INFINITY;
    return async () => {
      const now = this.clock.now().getTime();
      if (now - last < periodMs) return;
      const { more } = await this.execute(BATCHES_PER_TICK);
      if (!more) last = now;
    };
  }
}
