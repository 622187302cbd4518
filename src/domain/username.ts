import { ValidationFailed } from './errors.js';

/** A username as stored: trimmed, lower case, 3–64 characters of a-z 0-9 . _ -, at least one a letter or digit. */
export type Username = string & { readonly __brand: 'Username' };

// Checked on the input as given, before case folding: toLowerCase() maps some characters outside ASCII into it
// (KELVIN SIGN U+212A becomes "k"), which would let a look-alike register and log in as another name.
const USERNAME = /^[A-Za-z0-9._-]{3,64}$/;
const LETTER_OR_DIGIT = /[A-Za-z0-9]/;

export function parseUsername(raw: string): Username {
  const value = raw.trim();
  if (value.length < 3 || value.length > 64) throw new ValidationFailed('username', 'must be 3 to 64 characters long');
  if (!USERNAME.test(value)) {
    throw new ValidationFailed('username', 'may contain only letters a-z, digits and the characters . _ -');
  }
  if (!LETTER_OR_DIGIT.test(value)) throw new ValidationFailed('username', 'must contain at least one letter or digit');
  return value.toLowerCase() as Username;
}
