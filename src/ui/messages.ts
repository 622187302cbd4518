import { ApiError, NetworkError } from './api.js';
import { passkeyFailure } from './webauthn.js';

/** The service's stable error codes in words a person reads; anything else shows the service's own detail. */
const byCode: Record<string, string> = {
  'invalid-credentials': 'The username or password is incorrect.',
  'not-authenticated': 'You are not signed in, or your session has ended. Please sign in again.',
  forbidden: 'You are not allowed to do this.',
  'cannot-delete-self': 'You cannot delete your own account.',
  'cannot-disable-self': 'You cannot disable your own account.',
  'incorrect-current-password': 'The current password is incorrect.',
  'user-not-found': 'This user does not exist (any more).',
  'username-taken': 'This username is already taken.',
  'email-taken': 'This address is already used by another account.',
  'last-admin': 'This is the last active admin: make another admin first.',
  'too-many-attempts': 'Too many attempts.',
  'account-disabled': 'This account is disabled. Contact an administrator.',
  'invalid-token': 'This link is not valid any more: it was used already, has expired, or a newer one was sent.',
  'invalid-code': 'The code is not correct, or was used already.',
  'mfa-required': 'Finish signing in with your second factor first.',
  'reauthentication-required': 'Confirm your password to continue.',
  busy: 'The service is busy. Try again in a moment.',
};

/** Whether the error's code has words of its own here, which say more than the service's field-by-field detail. */
export function hasOwnWords(error: unknown): boolean {
  return error instanceof ApiError && error.code !== undefined && byCode[error.code] !== undefined;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.notDeployed) return 'This is not available on this server.';
    if (error.code === 'too-many-attempts' && error.retryAfter !== undefined) {
      return `Too many attempts. Try again in ${waitText(error.retryAfter)}.`;
    }
    if (error.code && byCode[error.code]) return byCode[error.code]!;
    if (error.status >= 500) return 'Something went wrong on the server. Try again later.';
    return sentence(error.problem.detail ?? error.problem.title);
  }
  if (error instanceof NetworkError) return error.message;
  if (error instanceof Error && error.name === 'Cancelled') return error.message;
  const passkey = passkeyFailure(error);
  if (passkey) return passkey;
  return 'Something went wrong. Try again.';
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** "must be at least 8 characters long" → "Must be at least 8 characters long." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const first = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function formatTime(value: string | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}
