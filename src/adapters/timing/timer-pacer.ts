import { setTimeout as sleep } from 'node:timers/promises';
import type { Pacer } from '../../application/email/ports.js';

/** The pacer on Node's timers: waits out what is left of the floor after the work is done. */
export class TimerPacer implements Pacer {
  async atLeast<T>(ms: number, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    const left = ms - (performance.now() - started);
    if (left > 0) await sleep(left);
    return result;
  }
}
