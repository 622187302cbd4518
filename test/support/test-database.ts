import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createDb } from '../../src/adapters/persistence/db.js';
import { onSqliteOnly, skipped } from './hooks.js';

export interface TestMySql {
  /** A URL to a fresh, empty database of its own. */
  url: string;
  dispose(): Promise<void>;
}

/**
 * A fresh MySQL database for one suite: on TEST_DATABASE_URL's server when given (created here, dropped after),
 * else in a testcontainers MySQL 8.4 when a Docker engine answers, else undefined.
 */
export async function testMySql(): Promise<TestMySql | undefined> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return freshDatabaseOn(serverUrl);
  return startContainer();
}

/** A new, empty database on the server of `serverUrl`, dropped by `dispose()`. */
export async function freshDatabaseOn(serverUrl: string, prefix = 'authsvc_test'): Promise<TestMySql & { name: string }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection(serverUrl);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async dispose() {
      const conn = await mysql.createConnection(serverUrl);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

async function startContainer(): Promise<TestMySql | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined; // no Docker engine here
  }
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const container = await new MySqlContainer('mysql:8.4').start();
  return { url: container.getConnectionUri(true), dispose: async () => void (await container.stop()) };
}

/**
 * For a suite's `before` hook: a fresh, empty MySQL database, or the suite is skipped (loudly, with `why` it needs
 * MySQL in the closing list), or failed when REQUIRE_INTEGRATION=1.
 */
export async function mySqlOrSkip(ctx: Mocha.Context, why?: string): Promise<TestMySql> {
  ctx.timeout(180_000); // a container's first start pulls its image
  const server = await testMySql();
  if (!server) {
    const title = ctx.test?.parent?.fullTitle() ?? 'an integration suite';
    if (process.env.REQUIRE_INTEGRATION === '1') {
      throw new Error(`${title}: REQUIRE_INTEGRATION=1 but no MySQL: set TEST_DATABASE_URL or run Docker`);
    }
    skipped.push(why === undefined ? `${title} (no MySQL: no TEST_DATABASE_URL, no Docker)` : `${title} (needs MySQL: ${why})`);
    ctx.skip();
  }
  return server;
}

/** As `mySqlOrSkip`, and migrated: a knex on it and the database to dispose of. */
export async function migratedMySql(ctx: Mocha.Context, why?: string): Promise<{ db: Knex; mysql: TestMySql }> {
  const server = await mySqlOrSkip(ctx, why);
  const db = createDb({ kind: 'mysql', url: server.url });
  await db.migrate.latest();
  return { db, mysql: server };
}

/** A migrated database for a suite that runs the same cases on each database the service supports. */
export type OpenDb = (ctx: Mocha.Context) => Promise<{ db: Knex; url?: string; dispose(): Promise<void> }>;

export const onMySql: OpenDb = (ctx) => onMySqlOnly(undefined)(ctx);

/** The embedded SQLite database, in a file of its own under the system's temporary folder. */
export const onSqlite: OpenDb = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'authsvc-test-'));
  const db = createDb({ kind: 'sqlite', file: join(dir, 'auth.db') });
  await db.migrate.latest();
  return {
    db,
    async dispose() {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/**
 * The database of a suite that runs once per test run: MySQL when TEST_DATABASE_URL names a server (as CI does),
 * else the embedded SQLite default, so a plain `npm test` on a fresh machine still runs it end to end.
 */
export const onRunDatabase: OpenDb = (ctx) => {
  if (runDatabaseKind() === 'mysql') return onMySql(ctx);
  onSqliteOnly.add(ctx.test?.parent?.fullTitle() ?? 'a suite');
  return onSqlite(ctx);
};

export function runDatabaseKind(): 'mysql' | 'sqlite' {
  return process.env.TEST_DATABASE_URL ? 'mysql' : 'sqlite';
}

/** A suite that needs MySQL itself (its collations, locks, triggers' SQL): `why` is named if it is skipped. */
export const onMySqlOnly =
  (why: string | undefined): OpenDb =>
  async (ctx) => {
    const { db, mysql } = await migratedMySql(ctx, why);
    return {
      db,
      url: mysql.url,
      async dispose() {
        await db.destroy();
        await mysql.dispose();
      },
    };
  };

/** Which database a knex is on. */
export function isMySql(db: Knex): boolean {
  return (db.client.config as { client?: unknown }).client === 'mysql2';
}

/** A second, empty database never migrated, on the same kind of database as `db`; `name` is what names it. */
export async function unmigratedLike(db: Knex): Promise<{ db: Knex; name: string; dispose(): Promise<void> }> {
  if (isMySql(db)) {
    const server = (await testMySql())!;
    const broken = createDb({ kind: 'mysql', url: server.url });
    const name = new URL(server.url).pathname.slice(1);
    return {
      db: broken,
      name,
      async dispose() {
        await broken.destroy();
        await server.dispose();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'authsvc-unmigrated-'));
  const broken = createDb({ kind: 'sqlite', file: join(dir, 'never-migrated.sqlite') });
  return {
    db: broken,
    name: dir,
    async dispose() {
      await broken.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
