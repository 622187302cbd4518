import { IncorrectCurrentPassword, ValidationFailed } from '../../domain/errors.js';
import { candidatePassword } from '../../domain/password.js';
import type { User } from '../../domain/user.js';
import type { LoginAttempt, LoginThrottle, PasswordHasher } from '../ports.js';

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

/**
 * The current password proves it is the owner at the keyboard (a recent authentication); a wrong one counts as a
 * failed login.
 */
export async function confirmCurrentPassword(
  deps: { throttle: LoginThrottle; hasher: PasswordHasher },
  user: User,
  currentPassword: string | undefined,
  client: string | undefined,
): Promise<void> {
  if (currentPassword === undefined) throw new ValidationFailed('currentPassword', 'is required');
  const attempt = { account: user.username, client };
  const current = candidatePassword(currentPassword);
  const matches = await checkCounted(
    deps.throttle,
    attempt,
    async () => current !== undefined && deps.hasher.verify(current, user.passwordHash),
  );
  if (!matches) throw new IncorrectCurrentPassword();
}
