import { DatabaseUnavailable } from '../adapters/persistence/database-target.js';
import type { Logger } from '../adapters/logging/logger.js';
import { ValidationFailed } from '../domain/errors.js';
import { WorkerStartFailed } from './cluster.js';
import { InvalidEnvironment } from './env.js';

/** The variables the start-up admin comes from, by the field the account rules name. */
const ADMIN_VARIABLES: Record<string, string> = { username: 'ADMIN_USERNAME', password: 'ADMIN_PASSWORD' };

/**
 * A start-up admin that the account rules refuse (a username or password against the rules) is a configuration
 * error: it is reported as the variable to fix (`ADMIN_PASSWORD: …`), not as the request field `password`.
 */
export function startUpAdminRefused(err: unknown): never {
  const variable = err instanceof ValidationFailed ? ADMIN_VARIABLES[err.field] : undefined;
  if (err instanceof ValidationFailed && variable) throw new InvalidEnvironment([`${variable}: ${err.reason}`]);
  throw err;
}

/**
 * The one fatal line of a start that failed. A database that is missing or refuses is expected, and its line
 * says what to do, with no stack; anything else is a fault, logged with its error (and stack) under `message`.
 */
export function logStartFailure(log: Logger, err: unknown, message: string): void {
  if (err instanceof DatabaseUnavailable) {
    log.fatal({ database: err.where, reason: err.reason, advice: err.advice }, err.message);
    return;
  }
  if (err instanceof InvalidEnvironment) {
    log.fatal({ problems: err.problems }, err.message);
    return;
  }
  if (err instanceof WorkerStartFailed) {
    log.fatal({ code: err.code }, err.message);
    return;
  }
  log.fatal({ err }, message);
}
