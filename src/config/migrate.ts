import { createLogger } from '../adapters/logging/logger.js';
import { migrateToLatest } from '../adapters/persistence/db.js';
import { InvalidEnvironment, parseEnv } from './env.js';
import { openDb } from './database.js';

/**
 * `npm run migrate`: applies pending migrations to the configured database and exits.
 * `npm run migrate -- --unlock`: frees knex's migration lock left by a process that died mid-migration.
 */
try {
  const env = parseEnv(process.env, 'tool');
  const log = createLogger(env.logLevel);
  const db = openDb(env, log);
  try {
    if (process.argv.includes('--unlock')) {
      await db.migrate.forceFreeMigrationsLock();
      log.info('migration lock freed');
    } else {
      const applied = await migrateToLatest(db);
      log.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date');
    }
  } finally {
    await db.destroy();
  }
} catch (err) {
  console.error(err instanceof InvalidEnvironment ? err.message : err);
  process.exit(1);
}
