/**
 * How long a key is refused from memory before the database is asked again: an operator's unlock (which clears
 * the shared row) reaches every instance within this time, at the cost of one statement per blocked key.
 */
export const RECHECK_MS = 5_000;

/** Keys this process refuses without asking the database, each until a given time (epoch ms). */
export class MemoryBlocks {
  private readonly until = new Map<string, { until: number; recheckAt: number }>();

  constructor(private readonly recheckMs = RECHECK_MS) {}

  /** How long the key is refused, or 0 once its block ended or is due to be checked in the database again. */
  msLeft(key: string, now: number): number {
    const block = this.until.get(key);
    if (block === undefined) return 0;
    if (block.until > now && block.recheckAt > now) return block.until - now;
    this.until.delete(key);
    return 0;
  }

  block(key: string, until: number, now: number): void {
    if (until <= now) return;
    this.until.set(key, { until: Math.max(until, this.until.get(key)?.until ?? 0), recheckAt: now + this.recheckMs });
    if (this.until.size > 10_000) this.forgetEnded(now);
  }

  unblock(key: string): void {
    this.until.delete(key);
  }

  /** A block is only set once a key's failures fill a window, so this stays small; ended ones go in bulk. */
  private forgetEnded(now: number): void {
    for (const [key, block] of this.until) if (block.until <= now || block.recheckAt <= now) this.until.delete(key);
  }
}
