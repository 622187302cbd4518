import { createHmac, randomBytes } from 'node:crypto';
import type { RecoveryCodes } from '../../application/mfa/ports.js';
import { deriveKey } from './aes-gcm-secret-box.js';

/** Crockford's base32 alphabet: no i, l, o or u, so a code read aloud or from paper is not misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const COUNT = 10;
/** 10 characters of 5 bits: 50 bits per code. */
const LENGTH = 10;

/**
 * Ten recovery codes of 50 random bits, shown as `xxxxx-xxxxx`. Stored as HMAC-SHA-256 under a key derived from
 * MFA_KEY_SECRET: 50 bits are few enough to brute-force from a plain hash, not from a keyed one without the key.
 */
export class HmacRecoveryCodes implements RecoveryCodes {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'mfa-recovery-codes-v1');
  }

  generate(): string[] {
    return Array.from({ length: COUNT }, () => {
      const bytes = randomBytes(LENGTH);
      const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
      return `${chars.slice(0, 5)}-${chars.slice(5)}`;
    });
  }

  hash(code: string): string | undefined {
    // Case, spaces and dashes do not matter; the letters Crockford's alphabet leaves out read as the digits they look like.
    const normal = code.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
    if (normal.length !== LENGTH || [...normal].some((c) => !ALPHABET.includes(c))) return undefined;
    return createHmac('sha256', this.key).update(normal).digest('hex');
  }
}
