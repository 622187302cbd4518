import { DatabaseUnavailable } from '../adapters/persistence/database-target.js';
import type { Logger } from '../adapters/logging/logger.js';
import { WorkerStartFailed } from './cluster.js';

/**
 * The one fatal line of a start that failed. A database that is missing or refuses is expected, and its line
 * says what to do, with no stack; anything else is a fault, logged with its error (and stack) under `message`.
 */
export function logStartFailure(log: Logger, err: unknown, message: string): void {
  if (err instanceof DatabaseUnavailable) {
    log.fatal({ database: err.where, reason: err.reason, advice: err.advice }, err.message);
    return;
  }
  if (err instanceof WorkerStartFailed) {
    log.fatal({ code: err.code }, err.message);
    return;
  }
  log.fatal({ err }, message);
}
