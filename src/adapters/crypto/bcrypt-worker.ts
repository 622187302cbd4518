/**
 * A bcrypt thread of the worker pool (see bcrypt-password-hasher.ts). It lowers its own scheduling priority
 * first: on Linux the nice value belongs to the thread, so hashing yields the CPU to the event loop and to the
 * database whenever they need it, and takes all the rest. Requests that need no hashing stay fast while logins
 * saturate the cores.
 */
import { getPriority, setPriority } from 'node:os';
import bcrypt from 'bcrypt';

export const WORKER_NICE = 10;

try {
  setPriority(0, WORKER_NICE); // 0: this thread only
} catch {
  // Not permitted here (some sandboxes): hashing runs at normal priority.
}

export type BcryptTask = { op: 'hash'; plain: string; cost: number } | { op: 'verify'; plain: string; hash: string } | { op: 'priority' };

export default function run(task: BcryptTask): string | boolean | number {
  if (task.op === 'hash') return bcrypt.hashSync(task.plain, task.cost);
  if (task.op === 'verify') return bcrypt.compareSync(task.plain, task.hash);
  return getPriority(0); // what this thread runs at, for the tests
}
