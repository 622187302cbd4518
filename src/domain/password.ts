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

export function parseNewPassword(raw: string, field = 'password'): Password {
  const value = normalize(raw);
  const problem = unhashableBecause(value);
  if (problem) throw new ValidationFailed(field, problem);
  if ([...value].length < MIN_PASSWORD_CHARS) {
    throw new ValidationFailed(field, `must be at least ${MIN_PASSWORD_CHARS} characters long`);
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
