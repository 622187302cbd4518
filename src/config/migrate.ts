import { createLogger } from '../adapters/logging/logger.js';
import { InvalidEnvironment, parseEnv } from './env.js';
import { openDb } from './service.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
try {
  const env = parseEnv(process.env);
  const log = createLogger(env.logLevel);
  const db = openDb(env, log);
  try {
    const [batch, applied] = await db.migrate.latest();
    log.info({ batch, applied }, applied.length ? 'migrations applied' : 'database already up to date');
  } finally {
    await db.destroy();
  }
} catch (err) {
  console.error(err instanceof InvalidEnvironment ? err.message : err);
  process.exit(1);
}
