import 'reflect-metadata';
import cluster from 'node:cluster';
import { createLogger } from '../adapters/logging/logger.js';
import { runCluster, START_FAILED_EXIT_CODE } from './cluster.js';
import { readEnvOrExit } from './env.js';
import { logStartFailure } from './start-failure.js';

const env = readEnvOrExit();
const log = createLogger(env.logLevel, undefined, env.logFormat);

try {
  if (!(await runCluster(env, log))) {
    // Loaded here, so that a cluster's primary, which serves nothing, stays small.
    const { startService } = await import('./service.js');
    const service = await startService(env, log);
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return; // a worker gets SIGINT from the terminal and SIGTERM from the primary
      stopping = true;
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
  }
} catch (err) {
  logStartFailure(log, err, 'start-up failed');
  process.exit(cluster.isWorker ? START_FAILED_EXIT_CODE : 1); // a worker's code tells the primary not to start another
}
