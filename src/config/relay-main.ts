import 'reflect-metadata';
import { createLogger } from '../adapters/logging/logger.js';
import { buildRelayContainer } from './container.js';
import { migrateOrExplain, openDb } from './database.js';
import { readEnvOrExit } from './env.js';
import { startMailRelay } from './modules/email.js';
import { logStartFailure } from './start-failure.js';
import { startRelay } from './modules/outbox.js';

/**
 * `npm run relay`: the outbox relay and the mail sender, for deployments that run them apart from the API.
 * Several may run: one publishes events, the others stand by and take over when it stops; mail is claimed
 * message by message, so any of them may send it.
 */
const env = readEnvOrExit('tool');
const log = createLogger(env.logLevel, undefined, env.logFormat);
const db = openDb(env, log);
try {
  await migrateOrExplain(db, env);
  const container = buildRelayContainer(env, db, log); // no bcrypt threads: the relay checks no password
  const relay = startRelay(env, container, log, true); // without KAFKA_BROKERS, events wait in the outbox
  const mailRelay = startMailRelay(env, container, log);
  const shutdown = (signal: string) => {
    log.info({ signal }, 'relay shutting down');
    Promise.all([relay?.stop(), mailRelay.stop()])
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
  logStartFailure(log, err, 'relay start-up failed');
  await db.destroy().catch(() => undefined);
  process.exit(1);
}
