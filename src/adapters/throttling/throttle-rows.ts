/** One window of a key as the rows hold it: at most `points` attempts per `ms`. */
export interface WindowLimit {
  points: number;
  ms: number;
}

/** What reserving a place in every window of a key answered. */
export type Reservation =
  | { allowed: true; /** the fewest places any window has left after this one */ placesLeft: number }
  | { allowed: false; /** until the longest full window ends */ msLeft: number };

/** A window as it stands: attempts counted in it (0 once it has ended) and when it ends (epoch ms). */
export interface WindowState {
  count: number;
  resetAt: number;
}

/**
 * The throttle's counters: one row per key holding every window of that key, each change one atomic statement.
 * A window is fixed and starts with the first attempt counted in it.
 */
export interface ThrottleRows {
  /** Counts one attempt in every window of the key if each has a place left, else counts nothing. */
  reserve(subject: string, windows: WindowLimit[], now: number): Promise<Reservation>;
  /** Gives back one attempt reserved at `since`, in the windows that started by then and are still running. */
  giveBack(subject: string, windows: WindowLimit[], since: number, now: number): Promise<void>;
  /** Forgets every window of the key. */
  clear(subject: string): Promise<void>;
  read(subject: string, windows: WindowLimit[], now: number): Promise<WindowState[]>;
}

/** The rows in this process's memory (tests, and a single process without a database). */
export class MemoryThrottleRows implements ThrottleRows {
  private readonly rows = new Map<string, WindowState[]>();

  async reserve(subject: string, windows: WindowLimit[], now: number): Promise<Reservation> {
    const row = this.current(subject, windows, now); // read and written with no await between: atomic
    const full = row.flatMap((w, i) => (w.count >= windows[i]!.points ? [w.resetAt - now] : []));
    if (full.length > 0) return { allowed: false, msLeft: Math.max(...full) };
    const next = row.map((w, i) =>
      w.resetAt > now ? { count: w.count + 1, resetAt: w.resetAt } : { count: 1, resetAt: now + windows[i]!.ms },
    );
    this.rows.set(subject, next);
    return { allowed: true, placesLeft: Math.min(...next.map((w, i) => windows[i]!.points - w.count)) };
  }

  async giveBack(subject: string, windows: WindowLimit[], since: number, now: number): Promise<void> {
    const row = this.rows.get(subject);
    row?.forEach((w, i) => {
      if (w.resetAt > now && w.resetAt - windows[i]!.ms <= since && w.count > 0) w.count -= 1;
    });
  }

  async clear(subject: string): Promise<void> {
    this.rows.delete(subject);
  }

  async read(subject: string, windows: WindowLimit[], now: number): Promise<WindowState[]> {
    return this.current(subject, windows, now);
  }

  private current(subject: string, windows: WindowLimit[], now: number): WindowState[] {
    const row = this.rows.get(subject);
    return windows.map((_, i) => {
      const w = row?.[i];
      return w && w.resetAt > now ? { ...w } : { count: 0, resetAt: 0 };
    });
  }
}
