import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { Piscina } from 'piscina';
import type { PasswordHasher } from '../../application/ports.js';
import type { BcryptTask } from './bcrypt-worker.js';

// The worker runs from the same tree as this file: .ts under tsx (tests), .js once compiled.
const workerFile = new URL(`./bcrypt-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * bcrypt on a pool of worker threads (piscina), one per core by default, each at a lower scheduling priority
 * than the event loop: hashing uses every idle cycle but never starves request handling. Callers pass
 * passwords that already passed the policy (≤ 72 bytes), so nothing is silently truncated here.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly pool: Piscina<BcryptTask, string | boolean | number>;

  constructor(
    private readonly cost: number,
    threads: number = availableParallelism(),
  ) {
    this.pool = new Piscina({ filename: workerFile.href, minThreads: threads, maxThreads: threads, idleTimeout: Infinity });
  }

  async hash(plain: string): Promise<string> {
    return (await this.pool.run({ op: 'hash', plain, cost: this.cost })) as string;
  }

  async verify(plain: string, hash: string): Promise<boolean> {
    return (await this.pool.run({ op: 'verify', plain, hash })) as boolean;
  }

  /** A hash made before BCRYPT_COST was raised: it is replaced at the user's next successful login. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) < this.cost;
    } catch {
      return true; // not a bcrypt hash we can read: replace it
    }
  }

  /** The scheduling priority of the hashing threads (for the tests). */
  async threadPriority(): Promise<number> {
    return (await this.pool.run({ op: 'priority' })) as number;
  }

  /** Lets the threads finish the work already given to them (piscina's close timeout bounds it), then ends them. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
