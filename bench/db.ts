import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { mysqlConnection } from '../src/adapters/persistence/db.js';
import { freshDatabaseOn } from '../test/support/test-database.js';
import { v7 as uuidv7 } from 'uuid';

/** Rows per multi-row INSERT. */
export const CHUNK = 5000;

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database of its own on the server of `serverUrl`, dropped by `drop()`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const fresh = await freshDatabaseOn(serverUrl, 'authsvc_bench');
  return { name: fresh.name, url: fresh.url, drop: () => fresh.dispose() };
}

export async function serverVersion(serverUrl: string): Promise<string> {
  const conn = await mysql.createConnection(serverUrl);
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return String((rows as Array<{ v: string }>)[0]?.v);
  } finally {
    await conn.end();
  }
}

/** The bench's own knex on the bench database: plain snake_case column names, times in UTC like the service. */
export function openKnex(url: string): Knex {
  return knex({ client: 'mysql2', connection: mysqlConnection(url) as Knex.MySql2ConnectionConfig, pool: { min: 0, max: 4 } });
}

export function username(n: number): string {
  return `u${String(n).padStart(7, '0')}`;
}

/**
 * Inserts users u<from>..u<to> (inclusive), all with one password hash, in multi-row inserts of CHUNK rows.
 * Returns every `keepEvery`-th id (for sessions and samples) keyed by number.
 */
export async function insertUsers(
  db: Knex,
  range: { from: number; to: number; hash: string },
  keepEvery = 1,
  onChunk?: (done: number, total: number) => void,
): Promise<Map<number, string>> {
  const kept = new Map<number, string>();
  const total = range.to - range.from + 1;
  for (let start = range.from; start <= range.to; start += CHUNK) {
    const end = Math.min(range.to, start + CHUNK - 1);
    const now = new Date();
    const rows = [];
    for (let n = start; n <= end; n += 1) {
      const id = uuidv7();
      if ((n - range.from) % keepEvery === 0) kept.set(n, id);
      rows.push({
        id,
        username: username(n),
        role: 'user',
        password_hash: range.hash,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      });
    }
    await db('users').insert(rows);
    onChunk?.(end - range.from + 1, total);
  }
  return kept;
}

/** One named user (an admin, the login users of one cost). */
export async function insertUser(db: Knex, name: string, hash: string, role: 'user' | 'admin' = 'user'): Promise<string> {
  const id = uuidv7();
  const now = new Date();
  await db('users').insert({ id, username: name, role, password_hash: hash, created_at: now, updated_at: now, last_login_at: null });
  return id;
}

/** `count` live sessions (random 64-hex ids, empty data) spread over `userIds`, expiring in a day. */
export async function insertSessions(
  db: Knex,
  count: number,
  userIds: string[],
  onChunk?: (done: number, total: number) => void,
): Promise<void> {
  for (let done = 0; done < count;) {
    const n = Math.min(CHUNK, count - done);
    const now = Date.now();
    const rows = Array.from({ length: n }, (_, k) => ({
      id: randomBytes(32).toString('hex'),
      user_id: userIds[(done + k) % userIds.length]!,
      data: '{}',
      created_at: now,
      expires_at: now + 86_400_000,
      absolute_expires_at: now + 86_400_000,
    }));
    await db('sessions').insert(rows);
    done += n;
    onChunk?.(done, count);
  }
}

/** `count` pending user.logged_in outbox rows, as the service would write them; returns their event ids. */
export async function insertOutbox(db: Knex, count: number, onChunk?: (done: number, total: number) => void): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let done = 0; done < count;) {
    const n = Math.min(CHUNK, count - done);
    const now = new Date();
    const rows = Array.from({ length: n }, () => {
      const id = uuidv7();
      const userId = uuidv7();
      ids.add(id);
      return {
        id,
        aggregatetype: 'user',
        aggregateid: userId,
        type: 'user.logged_in',
        payload: JSON.stringify({ userId }),
        created_at: now,
        published_at: null,
      };
    });
    await db('outbox').insert(rows);
    done += n;
    onChunk?.(done, count);
  }
  return ids;
}

export async function countOf(db: Knex, sql: string): Promise<number> {
  const [rows] = (await db.raw(sql)) as [Array<Record<string, unknown>>];
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

export const pendingOutbox = (db: Knex) => countOf(db, 'select count(*) from outbox where published_at is null and parked_at is null');
