import { Busy, IncorrectCurrentPassword, ValidationFailed } from '../domain/errors.js';
import { candidatePassword } from '../domain/password.js';
import type { User } from '../domain/user.js';
import type { LoginAttempt, LoginThrottle, PasswordHasher } from './ports.js';

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
  await deps.throttle.begin(attempt);
  const current = candidatePassword(currentPassword);
  const matches = current !== undefined && (await checkCounted(deps.throttle, attempt, () => deps.hasher.verify(current, user.passwordHash)));
  if (!matches) throw new IncorrectCurrentPassword();
  await deps.throttle.succeeded(attempt);
}
