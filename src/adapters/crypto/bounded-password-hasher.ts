import type { PasswordHasher } from '../../application/ports.js';
import { Busy } from '../../domain/errors.js';

/**
 * Caps the bcrypt work running or waiting at once. Past the cap a request is refused at once (503 with
 * Retry-After) rather than queued without bound: a flood of logins must not pile up work that finishes long
 * after its clients gave up, nor hold memory without limit.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private pending = 0;

  constructor(
    private readonly inner: PasswordHasher,
    private readonly maxPending: number,
  ) {}

  /** Hashes running or waiting now (for metrics). */
  get depth(): number {
    return this.pending;
  }

  hash(plain: string): Promise<string> {
    return this.bounded(() => this.inner.hash(plain));
  }

  verify(plain: string, hash: string): Promise<boolean> {
    return this.bounded(() => this.inner.verify(plain, hash));
  }

  needsRehash(hash: string): boolean {
    return this.inner.needsRehash(hash);
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.pending >= this.maxPending) throw new Busy();
    this.pending += 1;
    try {
      return await work();
    } finally {
      this.pending -= 1;
    }
  }
}
