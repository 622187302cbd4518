/** Keys this process refuses without asking the database, each until a given time (epoch ms). */
export class MemoryBlocks {
  private readonly until = new Map<string, number>();

  msLeft(key: string, now: number): number {
    const until = this.until.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.until.delete(key);
    return 0;
  }

  block(key: string, until: number, now: number): void {
    if (until <= now) return;
    this.until.set(key, Math.max(until, this.until.get(key) ?? 0));
    if (this.until.size > 10_000) this.forgetEnded(now);
  }

  unblock(key: string): void {
    this.until.delete(key);
  }

  /** A block is only set once a key's failures fill a window, so this stays small; ended ones go in bulk. */
  private forgetEnded(now: number): void {
    for (const [key, until] of this.until) if (until <= now) this.until.delete(key);
  }
}
