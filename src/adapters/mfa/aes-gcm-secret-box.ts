import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../application/mfa/ports.js';

const VERSION = 'v1';

/** A 32-byte key for one purpose, derived from MFA_KEY_SECRET with HKDF-SHA-256, so each use has its own key. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('authsvc'), Buffer.from(purpose), 32));
}

/**
 * AES-256-GCM with node:crypto: a random 96-bit nonce per seal, the 128-bit tag checked on open, and the
 * context (the user id) as additional authenticated data, so a sealed secret copied onto another user's row
 * does not open. Stored as `v1.<nonce>.<ciphertext>.<tag>`, base64url.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'mfa-secret-box-v1');
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, nonce, body, tag] = sealed.split('.');
    if (version !== VERSION || nonce === undefined || body === undefined || tag === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
