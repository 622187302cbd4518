import type { Knex } from 'knex';
import type { Logger } from '../adapters/logging/logger.js';
import { describeTarget, explainOpenFailure, targetFields } from '../adapters/persistence/database-target.js';
import { allMigrationsApplied, createDb, migrateToLatest, type DbTarget } from '../adapters/persistence/db.js';
import type { Env } from './env.js';

/** The database every process opens, as the environment names it. */
export function openDb(env: Env, log: Logger): Knex {
  const target = dbTarget(env);
  if (target.kind === 'mysql') {
    log.info({ ...targetFields(target), url: describeTarget(target) }, 'database: MySQL');
    return createDb(target, { max: env.dbPoolMax }, log);
  }
  log.info({ file: env.sqliteFile }, 'DATABASE_URL is not set: using the embedded SQLite database');
  return createDb(target, undefined, log);
}

/** The database the environment names: DATABASE_URL's server, else the embedded SQLite file. */
export function dbTarget(env: Pick<Env, 'databaseUrl' | 'sqliteFile'>): DbTarget {
  return env.databaseUrl ? { kind: 'mysql', url: env.databaseUrl } : { kind: 'sqlite', file: env.sqliteFile };
}

/**
 * Migrates the database just opened: the first statement of the process, so a database that is missing or
 * refuses fails here, as a DatabaseUnavailable that names it (without the password) and says what to do.
 * A database that already has every migration is left alone after two reads (see allMigrationsApplied).
 */
export async function migrateOrExplain(db: Knex, env: Pick<Env, 'databaseUrl' | 'sqliteFile'>): Promise<void> {
  try {
    if (!(await allMigrationsApplied(db))) await migrateToLatest(db);
  } catch (err) {
    throw explainOpenFailure(err, dbTarget(env)) ?? err;
  }
}
