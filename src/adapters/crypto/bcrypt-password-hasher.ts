import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../../application/ports.js';

/**
 * bcrypt's async API runs on libuv's thread pool, off the event loop. Callers pass passwords that already
 * passed the policy (≤ 72 bytes), so nothing is silently truncated here.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  constructor(private readonly cost: number) {}

  hash(plain: string): Promise<string> {
    return bcrypt.hash(plain, this.cost);
  }

  verify(plain: string, hash: string): Promise<boolean> {
    return bcrypt.compare(plain, hash);
  }

  /** A hash made before BCRYPT_COST was raised: it is replaced at the user's next successful login. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) < this.cost;
    } catch {
      return true; // not a bcrypt hash we can read: replace it
    }
  }
}
