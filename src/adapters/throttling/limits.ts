/** At most `points` attempts in a window of `seconds`. */
export interface Limit {
  points: number;
  seconds: number;
}

export interface LoginLimits {
  /** Per account, whatever the client: successive windows give progressively longer waits. */
  account: Limit[];
  /** Per client address, across accounts (password spraying). */
  client: Limit[];
}

/** A key's windows are columns of one row (migration 009), so a list of limits has at most this many. */
export const MAX_WINDOWS = 4;

/** Parses `5/60,20/900` (points per seconds, comma-separated, at most four windows). */
export function parseLimits(text: string): Limit[] {
  const limits = text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(part);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`"${part}" is not points/seconds`);
    const limit = { points: Number(match[1]), seconds: Number(match[2]) };
    if (limit.points > 1_000_000_000 || limit.seconds > 366 * 86_400)
      throw new Error(`"${part}" is out of range (points ≤ 1e9, seconds ≤ a year)`);
    return limit;
  });
  if (limits.length > MAX_WINDOWS) throw new Error(`at most ${MAX_WINDOWS} windows, not ${limits.length}`);
  return limits;
}
