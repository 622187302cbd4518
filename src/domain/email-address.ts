import { ValidationFailed } from './errors.js';

/** An email address as stored: trimmed and lower case, so one address is one account whatever its case. */
export type EmailAddress = string & { readonly __brand: 'EmailAddress' };

/** RFC 5321's limit on a path (254 octets), and on the local part (64). */
const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// A deliberately plain shape (the WHATWG "valid e-mail address" rule): a dot-atom local part and a domain of
// letter-digit-hyphen labels with at least one dot. No quoted local parts, comments or IP literals: they are
// legal but rare, and each is a way to smuggle something past a mail system.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function parseEmailAddress(raw: string, field = 'email'): EmailAddress {
  const value = raw.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  const valid =
    at > 0 &&
    value.length <= MAX_ADDRESS &&
    local.length <= MAX_LOCAL &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l));
  if (!valid) throw new ValidationFailed(field, 'must be an email address like name@example.com');
  return value as EmailAddress;
}

/** Whether a login name is meant as an address (usernames cannot contain "@"). */
export const looksLikeEmail = (raw: string): boolean => raw.includes('@');
