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
}
