import { ValidationFailed } from './errors.js';

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
/** A disabled account keeps its data and events but cannot sign in, and has no live session. */
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The reason an admin gives is shown to other admins and sent in events: short, single-line text. */
export const MAX_STATUS_REASON = 256;

export function parseAccountStatus(raw: string, field = 'status'): AccountStatus {
  if ((ACCOUNT_STATUSES as readonly string[]).includes(raw)) return raw as AccountStatus;
  throw new ValidationFailed(field, `must be one of ${ACCOUNT_STATUSES.join(', ')}`);
}

/** Trimmed; empty means none. Control characters are refused: the reason ends up in logs and consoles. */
export function parseStatusReason(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const value = raw.trim();
  if (value.length > MAX_STATUS_REASON) throw new ValidationFailed('reason', `must be at most ${MAX_STATUS_REASON} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ValidationFailed('reason', 'must not contain control characters');
  return value === '' ? null : value;
}
