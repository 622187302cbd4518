import type { Knex } from 'knex';
import { isSqlite } from '../persistence/dialect.js';
import type { Reservation, ThrottleRows, WindowLimit, WindowState } from './throttle-rows.js';

export const THROTTLE_TABLE = 'login_throttle';

/** An outcome at or above this is a refusal, the rest being the milliseconds to wait. */
const REFUSED = 2 ** 40;

/**
 * The throttle's rows in MySQL, MariaDB or SQLite (migration 009): per key, window i's count in `c{i}` and its
 * end in `r{i}` (epoch ms). A reservation is one upsert whose SQL decides and counts at once, under the row's
 * lock, so parallel attempts are counted one by one; it leaves its verdict in `outcome`, which it also hands
 * back: through LAST_INSERT_ID(expr) on MySQL and MariaDB (which have no RETURNING for an upsert), through
 * RETURNING on SQLite. Every number in the SQL is an integer from the configuration or the clock; the key is bound.
 */
export class SqlThrottleRows implements ThrottleRows {
  private readonly sqlite: boolean;

  constructor(private readonly db: Knex) {
    this.sqlite = isSqlite(db);
  }

  async reserve(subject: string, windows: WindowLimit[], now: number): Promise<Reservation> {
    const outcome = this.sqlite ? await this.reserveSqlite(subject, windows, now) : await this.reserveMySql(subject, windows, now);
    return outcome >= REFUSED ? { allowed: false, msLeft: outcome - REFUSED } : { allowed: true, placesLeft: outcome - 1 };
  }

  async giveBack(subject: string, windows: WindowLimit[], since: number, now: number): Promise<void> {
    const sets = windows.map(({ ms }, i) => {
      const [c, r] = [`c${i}`, `r${i}`];
      return `${c} = CASE WHEN ${r} > ${int(now)} AND ${r} - ${int(ms)} <= ${int(since)} AND ${c} > 0 THEN ${c} - 1 ELSE ${c} END`;
    });
    await this.db.raw(`UPDATE ${THROTTLE_TABLE} SET ${sets.join(', ')} WHERE subject = ?`, [subject]);
  }

  async clear(subject: string): Promise<void> {
    await this.db(THROTTLE_TABLE).where({ subject }).delete();
  }

  async read(subject: string, windows: WindowLimit[], now: number): Promise<WindowState[]> {
    const row = (await this.db(THROTTLE_TABLE).where({ subject }).first()) as Record<string, number | string> | undefined;
    return windows.map((_, i) => {
      const resetAt = Number(row?.[`r${i}`] ?? 0);
      return resetAt > now ? { count: Number(row![`c${i}`]), resetAt } : { count: 0, resetAt: 0 };
    });
  }

  /** MySQL evaluates the assignments left to right on the new values, so the verdict is set first and read after. */
  private async reserveMySql(subject: string, windows: WindowLimit[], now: number): Promise<number> {
    const allowed = `outcome < ${REFUSED}`;
    const sets = [`outcome = LAST_INSERT_ID(${verdict(windows, now, 'GREATEST', 'LEAST')})`, ...counting(windows, now, allowed)];
    const [result] = (await this.db.raw(`${insert(windows, now, 'LAST_INSERT_ID(?)')} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, [
      subject,
      firstOutcome(windows),
    ])) as [{ insertId: number }];
    return Number(result.insertId);
  }

  /** SQLite evaluates every assignment on the old values, so each repeats the decision. */
  private async reserveSqlite(subject: string, windows: WindowLimit[], now: number): Promise<number> {
    const allowed = `(${underLimits(windows, now)})`;
    const sets = [`outcome = ${verdict(windows, now, 'MAX', 'MIN')}`, ...counting(windows, now, allowed)];
    const rows = await this.db.raw<Array<{ outcome: number }>>(
      `${insert(windows, now, '?')} ON CONFLICT (subject) DO UPDATE SET ${sets.join(', ')} RETURNING outcome`,
      [subject, firstOutcome(windows)],
    );
    return Number(rows[0]!.outcome);
  }
}

/** The first attempt of a key: one in each window, every window starting now. */
function insert(windows: WindowLimit[], now: number, outcome: string): string {
  const columns = windows.flatMap((_, i) => [`c${i}`, `r${i}`]);
  const values = windows.flatMap(({ ms }) => ['1', `${int(now + ms)}`]);
  return `INSERT INTO ${THROTTLE_TABLE} (subject, ${columns.join(', ')}, outcome) VALUES (?, ${values.join(', ')}, ${outcome})`;
}

function firstOutcome(windows: WindowLimit[]): number {
  return 1 + Math.min(...windows.map((w) => w.points - 1));
}

/** Window i's count, 0 once it has ended. */
const live = (i: number, now: number): string => `(CASE WHEN r${i} > ${int(now)} THEN c${i} ELSE 0 END)`;

function underLimits(windows: WindowLimit[], now: number): string {
  return windows.map(({ points }, i) => `${live(i, now)} < ${int(points)}`).join(' AND ');
}

/** 1 + the fewest places left after counting this attempt, or REFUSED + the wait for the longest full window. */
function verdict(windows: WindowLimit[], now: number, greatest: string, least: string): string {
  const left = windows.map(({ points }, i) => `${int(points)} - ${live(i, now)} - 1`);
  const waits = windows.map(({ points }, i) => `CASE WHEN ${live(i, now)} >= ${int(points)} THEN r${i} - ${int(now)} ELSE 0 END`);
  return `CASE WHEN ${underLimits(windows, now)} THEN 1 + ${call(least, left)} ELSE ${REFUSED} + ${call(greatest, waits)} END`;
}

/** When allowed, one more in each window, a window that has ended starting again now; else nothing changes. */
function counting(windows: WindowLimit[], now: number, allowed: string): string[] {
  return windows.flatMap(({ ms }, i) => [
    `c${i} = CASE WHEN ${allowed} THEN ${live(i, now)} + 1 ELSE c${i} END`,
    `r${i} = CASE WHEN ${allowed} AND r${i} <= ${int(now)} THEN ${int(now + ms)} ELSE r${i} END`,
  ]);
}

/** GREATEST/LEAST (MAX/MIN in SQLite) of several values; SQLite's MAX of one value would be the aggregate. */
function call(fn: string, parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `${fn}(${parts.join(', ')})`;
}

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}
