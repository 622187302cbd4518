import { ValidationFailed } from './errors.js';

/** A password that passed the policy, in the normal form it is hashed and compared in. */
export type Password = string & { readonly __brand: 'Password' };

export const MIN_PASSWORD_CHARS = 8;
/** bcrypt reads at most 72 bytes and silently ignores the rest: longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * The same text typed on two keyboards can differ in code points (a precomposed "é" or "e" + accent), so
 * passwords are hashed and compared in NFKC.
 */
function normalize(raw: string): string {
  return raw.normalize('NFKC');
}

/** What bcrypt would not see whole: it stops at a NUL byte and after 72 bytes. */
function unhashableBecause(value: string): string | undefined {
  if (value.includes('\0')) return 'must not contain the NUL character';
  if (Buffer.byteLength(value, 'utf8') > MAX_PASSWORD_BYTES) return `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`;
  return undefined;
}

export interface NewPasswordRules {
  /** The request field, for the error message. */
  field?: string;
  /** The account's username: a password equal to it or containing it is refused. */
  username?: string;
  /** Whether a password is on the list of the most common ones. */
  isCommon?: (password: string) => boolean;
}

/** Checks a new password against the policy; the message says which rule it breaks. */
export function parseNewPassword(raw: string, rules: NewPasswordRules = {}): Password {
  const { field = 'password', username, isCommon } = rules;
  const value = normalize(raw);
  const problem = unhashableBecause(value);
  if (problem) throw new ValidationFailed(field, problem);
  if ([...value].length < MIN_PASSWORD_CHARS) {
    throw new ValidationFailed(field, `must be at least ${MIN_PASSWORD_CHARS} characters long`);
  }
  if (username && value.toLowerCase().includes(username.toLowerCase())) {
    throw new ValidationFailed(field, 'must not contain the username');
  }
  if (isCommon?.(value)) {
    throw new ValidationFailed(field, 'is one of the most common passwords, which attackers try first: choose another');
  }
  return value as Password;
}

/**
 * A password offered to prove identity, in the form to compare, or undefined when no stored password can
 * equal it. Comparing such a value would let bcrypt's truncation match "secret\0anything" against "secret".
 */
export function candidatePassword(raw: string): Password | undefined {
  const value = normalize(raw);
  return unhashableBecause(value) ? undefined : (value as Password);
}
