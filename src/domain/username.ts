import { ValidationFailed } from './errors.js';

/** A username as stored: trimmed, lower case, 3–64 characters of a-z 0-9 . _ - */
export type Username = string & { readonly __brand: 'Username' };

const USERNAME = /^[a-z0-9._-]{3,64}$/;

export function parseUsername(raw: string): Username {
  const value = raw.trim().toLowerCase();
  if (value.length < 3 || value.length > 64) throw new ValidationFailed('username', 'must be 3 to 64 characters long');
  if (!USERNAME.test(value)) {
    throw new ValidationFailed('username', 'may contain only letters a-z, digits and the characters . _ -');
  }
  return value as Username;
}
