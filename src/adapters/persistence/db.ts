import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { ConnectionOptions } from 'mysql2';
import { knexSnakeCaseMappers } from 'objection';
import { migrationSource } from './migrations/index.js';
export { databaseName, isSqlite } from './dialect.js';

/** Injection token for the service's knex instance. */
export const Db = Symbol('Db');

export type DbTarget = { kind: 'mysql'; url: string } | { kind: 'sqlite'; file: string };

/**
 * MySQL (or MariaDB) is the production database; SQLite is the embedded default for a machine without one.
 * Columns are snake_case in SQL and camelCase in TypeScript.
 */
/** Where knex's own messages go (by default the console, with stacks). */
export interface DbLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** knex's record of the migrations applied. */
const MIGRATIONS_TABLE = 'knex_migrations';

export function createDb(target: DbTarget, pool: { max: number } = { max: 10 }, log?: DbLog): Knex {
  const common = {
    ...knexSnakeCaseMappers(),
    migrations: { migrationSource, tableName: MIGRATIONS_TABLE },
    // A failed query's message names its statement with placeholders, never the values (a password hash being
    // written, a session-id hash being looked up): the log line of a database error cannot carry them.
    compileSqlOnError: false,
    // A connection that fails is also the error the caller gets (and explains): knex's own warning is debug detail.
    ...(log && {
      log: {
        warn: (message: string) => log.debug({ component: 'knex' }, firstLine(message)),
        deprecate: (method: string, alternative: string) => log.debug({ component: 'knex', method, alternative }, 'deprecated'),
        debug: (message: string) => log.debug({ component: 'knex' }, firstLine(message)),
        error: (message: string) => log.error({ component: 'knex' }, firstLine(message)),
      },
    }),
  };
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    return knex({
      ...common,
      client: 'better-sqlite3',
      connection: { filename: target.file },
      useNullAsDefault: true,
      pool: {
        // One connection: SQLite has one writer, and a single connection makes transactions queue instead of fail.
        min: 1,
        max: 1,
        afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  return knex({
    ...common,
    client: 'mysql2',
    connection: mysqlConnection(target.url) as Knex.MySql2ConnectionConfig,
    pool: { min: 0, max: pool.max },
  });
}

const firstLine = (message: unknown): string => String(message).split('\n')[0]!;

export function mysqlConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  // `?socketPath=/run/mysqld/mysqld.sock`: a server on the same host through its Unix socket instead of TCP
  // (host and port are then ignored); each statement's write costs the client far less CPU (docs/performance.md).
  const socketPath = parsed.searchParams.get('socketPath') ?? undefined;
  return {
    ...(socketPath && { socketPath }),
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    // Store and read every DATETIME as UTC, whatever the server's or the host's time zone.
    timezone: 'Z',
    charset: 'utf8mb4',
    supportBigNumbers: true,
    // JSON columns come back as their stored text, as on SQLite: the outbox hands payloads over untouched.
    jsonStrings: true,
  };
}

/** SQLite hands DATETIME columns back as epoch milliseconds, MySQL as Date. */
export function toDate(value: Date | number | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A unique index refused the row, on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown; nativeError?: { code?: unknown } })?.code;
  const native = (err as { nativeError?: { code?: unknown } })?.nativeError?.code;
  return [code, native].some((c) => c === 'ER_DUP_ENTRY' || c === 'SQLITE_CONSTRAINT_UNIQUE' || c === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

const MIGRATION_WAIT_MS = 60_000;

/**
 * Whether every migration of this build is recorded, and nothing else: two reads, where knex's run takes its lock
 * in a transaction for the same answer. knex records a migration once it has run (and committed, where DDL is
 * transactional), so while another process is migrating the answer is no. Anything unexpected (an unknown
 * migration, a missing table) is also a no, for knex's own run to report.
 */
export async function allMigrationsApplied(db: Knex): Promise<boolean> {
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return false;
  const recorded = new Set((await db(MIGRATIONS_TABLE).select<{ name: string }[]>('name')).map((row) => row.name));
  const wanted = await migrationSource.getMigrations([]);
  return recorded.size === wanted.length && wanted.every((name) => recorded.has(name));
}

/**
 * Applies pending migrations. Several instances starting together (API replicas, a relay, the command line)
 * take turns on knex's migration lock instead of failing: the ones that wait find nothing left to do. A lock
 * still held after a minute was most likely left by a process that died mid-migration; the error says how to
 * free it.
 */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const deadline = Date.now() + MIGRATION_WAIT_MS;
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest()) as [number, string[]];
      return applied;
    } catch (err) {
      // Also the race of two processes creating knex's own tables on an empty database.
      const contended = /already locked|already exists/i.test((err as Error).message ?? '');
      if (!contended) throw err;
      if (Date.now() > deadline) {
        throw new Error(
          'The migration lock is still held after a minute: if no migration is running, free it with `npm run migrate -- --unlock`',
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
  }
}
