import type { LoginAttempt, LoginThrottle } from './ports.js';

/**
 * Counts one password check with the throttle: counted before `check` runs, so parallel guesses cannot outrun
 * the count; kept only when `check` answers false (the password was checked and wrong); given back when the
 * check could not run (Busy, a database error), and turned into a success when it answers true.
 * @throws TooManyAttempts when the throttle refuses; `check` does not run then.
 */
export async function checkCounted(throttle: LoginThrottle, attempt: LoginAttempt, check: () => Promise<boolean>): Promise<boolean> {
  await throttle.begin(attempt);
  let matches: boolean;
  try {
    matches = await check();
  } catch (err) {
    await throttle.cancel(attempt);
    throw err;
  }
  await (matches ? throttle.succeeded(attempt) : throttle.failed(attempt));
  return matches;
}
