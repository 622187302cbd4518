import { Busy } from '../domain/errors.js';
import type { LoginAttempt, LoginThrottle } from './ports.js';

/**
 * Runs a password check that the throttle has already counted. When the service is too busy to run it (Busy),
 * the attempt is given back: a user must not use up their attempts on our overload.
 */
export async function checkCounted<T>(throttle: LoginThrottle, attempt: LoginAttempt, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof Busy) await throttle.cancel(attempt);
    throw err;
  }
}
