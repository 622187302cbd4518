import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { spawnProcess } from '../../support/spawn-process.js';
import { mySqlOrSkip } from '../../support/test-database.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of every run here, before the test's own: cheap bcrypt, and no log output unless asked for. */
export const BASE_ENV = { BCRYPT_COST: '4', LOG_LEVEL: 'silent' };

/**
 * Runs the real entry point from the sources (`npm run cli` runs its build), with cheap bcrypt and no log
 * output unless `env` says otherwise, and `input` piped to stdin (then closed; nothing at all when omitted).
 * A process start costs seconds: only what needs a real process runs this way (entry-point.test.ts); the rest
 * runs in this process (in-process.ts).
 */
export async function runCli(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  const run = spawnProcess('src/config/cli.ts', { ...BASE_ENV, ...env }, { args, input });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A database for the cli to work on, and a knex of the test's own on it (for the HTTP app and to look at rows). */
export interface CliDatabase {
  /** What points the cli at this database. */
  env: Record<string, string>;
  db: Knex;
  dispose(): Promise<void>;
}

/** A SQLite file in a fresh temporary folder: the cli creates its tables itself. */
export function sqliteDatabase(): CliDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'authsvc-cli-'));
  const file = join(dir, 'authsvc.sqlite');
  const db = createDb({ kind: 'sqlite', file });
  return {
    env: { SQLITE_FILE: file },
    db,
    async dispose() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh, empty MySQL database (the cli migrates it), or the suite is skipped loudly, or failed when
 * REQUIRE_INTEGRATION=1: as `migratedMySql` does, but without migrating.
 */
export async function mysqlDatabase(ctx: Mocha.Context): Promise<CliDatabase> {
  const server = await mySqlOrSkip(ctx);
  const db = createDb({ kind: 'mysql', url: server.url });
  return {
    env: { DATABASE_URL: server.url },
    db,
    async dispose() {
      await db.destroy();
      await server.dispose();
    },
  };
}

/** The JSON lines of a run's stdout. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
