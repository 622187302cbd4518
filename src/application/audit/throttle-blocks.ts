import type { LoginAttempt } from '../ports.js';

/** Enough to remember every block a large attack starts within its window, small enough to never matter. */
const MAX_REMEMBERED = 10_000;

/**
 * Remembers, in this process, which accounts and clients the login throttle is refusing and until when, so that
 * a block is written to the audit trail once, when it begins, and not once per refused attempt. An attempt
 * whose account or client is already known to be blocked is part of a block already recorded (an attacker
 * rotating addresses against one account, or one address spraying many accounts).
 */
export class ThrottleBlocks {
  private readonly until = new Map<string, number>();

  constructor(private readonly capacity = MAX_REMEMBERED) {}

  /** Whether this refusal begins a block; if so, remembers it until `untilMs`. */
  begins(attempt: LoginAttempt, untilMs: number, nowMs: number): boolean {
    const keys = [
      ...(attempt.account === undefined ? [] : [`account:${attempt.account}`]),
      ...(attempt.client === undefined ? [] : [`client:${attempt.client}`]),
    ];
    if (keys.some((key) => (this.until.get(key) ?? 0) > nowMs)) return false;
    for (const key of keys) this.remember(key, untilMs, nowMs);
    return true;
  }

  private remember(key: string, untilMs: number, nowMs: number): void {
    this.until.delete(key); // re-inserted last: the map's order is the order of expiry, roughly
    if (this.until.size >= this.capacity) this.forgetExpired(nowMs);
    if (this.until.size >= this.capacity) this.until.delete(this.until.keys().next().value!);
    this.until.set(key, untilMs);
  }

  private forgetExpired(nowMs: number): void {
    for (const [key, until] of this.until) if (until <= nowMs) this.until.delete(key);
  }
}
