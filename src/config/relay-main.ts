import 'reflect-metadata';
import { createLogger } from '../adapters/logging/logger.js';
import { migrateToLatest } from '../adapters/persistence/db.js';
import { buildContainer } from './container.js';
import { readEnvOrExit } from './env.js';
import { openDb, startRelay } from './service.js';

/**
 * `npm run relay`: the outbox relay alone, for deployments that run it apart from the API. Several may run:
 * one publishes, the others stand by and take over when it stops.
 */
const env = readEnvOrExit('tool');
const log = createLogger(env.logLevel, undefined, env.logFormat);
if (!env.kafka) {
  log.fatal('KAFKA_BROKERS is not set: a standalone relay has nothing to publish to');
  process.exit(1);
}
const db = openDb(env, log);
try {
  await migrateToLatest(db);
  const relay = startRelay(env, buildContainer(env, db, log), log, true)!;
  const shutdown = (signal: string) => {
    log.info({ signal }, 'relay shutting down');
    relay
      .stop()
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'relay shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (err) {
  log.fatal({ err }, 'relay start-up failed');
  process.exit(1);
}
