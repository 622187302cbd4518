import autocannon from 'autocannon';
import { round, summarize, type LatencySummary } from './stats.js';

export interface CannonResult {
  /** 2xx responses per second over the run. */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  durationS: number;
  /** From each 2xx response's own time (fractional ms), not autocannon's integer-ms histogram. */
  latency: LatencySummary;
  /** autocannon's own p99 (integer ms, with its coordinated-omission correction when rate-limited). */
  autocannonP99: number;
}

/** Runs autocannon (closed loop: each connection sends its next request when the previous one is answered). */
export function cannon(options: autocannon.Options): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let ok = 0;
    const instance = autocannon({ ...options, excludeErrorStats: true }, (err, result) => {
      if (err) return reject(err as Error);
      const statuses = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count]),
      );
      resolve({
        rps: round(ok / result.duration, 1),
        ok,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statuses,
        durationS: result.duration,
        latency: summarize(latencies),
        autocannonP99: result.latency.p99,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok += 1;
        latencies.push(responseTime);
      }
    });
  });
}
