import type { PasswordHasher } from '../../application/ports.js';
import { Busy } from '../../domain/errors.js';

/**
 * Caps the bcrypt work running or waiting at once. Past the cap a request is refused at once (503 with
 * Retry-After) rather than queued without bound: a flood of logins must not pile up work that finishes long
 * after its clients gave up, nor hold memory without limit.
 *
 * New hashes (registrations, password changes) may take only `maxPendingHashes` of the slots: the rest are kept
 * for checking passwords, so a flood of registrations cannot starve logins.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private pending = 0;
  private hashing = 0;

  constructor(
    private readonly inner: PasswordHasher,
    private readonly maxPending: number,
    private readonly maxPendingHashes: number = defaultHashShare(maxPending),
  ) {}

  /** Hashes running or waiting now (for metrics). */
  get depth(): number {
    return this.pending;
  }

  async hash(plain: string): Promise<string> {
    if (this.hashing >= this.maxPendingHashes) throw new Busy();
    this.hashing += 1;
    try {
      return await this.bounded(() => this.inner.hash(plain));
    } finally {
      this.hashing -= 1;
    }
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

/** Half the slots for new hashes (at least one), the other half kept for logins. */
export function defaultHashShare(maxPending: number): number {
  return Math.max(1, Math.floor(maxPending / 2));
}
