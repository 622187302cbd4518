import 'reflect-metadata';
import { createLogger } from '../adapters/logging/logger.js';
import { readEnvOrExit } from './env.js';
import { startService } from './service.js';

const env = readEnvOrExit();
const log = createLogger(env.logLevel, undefined, env.logFormat);

try {
  const service = await startService(env, log);
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (err) {
  log.fatal({ err }, 'start-up failed');
  process.exit(1);
}
