import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { serveClusterMetrics } from '../adapters/http/cluster-metrics.js';
import type { Logger } from '../adapters/logging/logger.js';
import type { Env } from './env.js';

const RESTART_DELAY_MS = 1_000;

/**
 * The exit code of a worker whose start failed. A worker can fail after it listens (the bcrypt warm-up is awaited
 * once the listener is open), and a worker that exits with this code is not started again: another would fail
 * the same way, once a second, for ever.
 */
export const START_FAILED_EXIT_CODE = 78;

/** What the primary does when a worker exits: nothing (stopping, or it never listened: the start gives up), restart it, or stop. */
export function afterWorkerExit(code: number | null, listened: boolean, stopping: boolean): 'nothing' | 'restart' | 'stop' {
  if (stopping || !listened) return 'nothing';
  return code === START_FAILED_EXIT_CODE ? 'stop' : 'restart';
}

/** How many worker processes serve: WEB_CONCURRENCY, else one per core on MySQL and one on SQLite (one writer). */
export function workerCount(env: Env, cores = availableParallelism()): number {
  return env.webConcurrency ?? (env.databaseUrl ? cores : 1);
}

/**
 * What worker `index` (1-based) of `workers` is told on top of the primary's environment. DB_POOL_MAX and
 * BCRYPT_MAX_PENDING(_HASHES) are the machine's totals, shared out so that the workers together hold what one
 * process held; so is BCRYPT_THREADS when it is given. Unset, each worker gets its share of the cores plus one
 * thread: bcrypt runs at a lower priority, so the spare only takes CPU nobody else wants, and it keeps a core
 * hashing while its worker's event loop is busy handing over the next task (measured: 0.92 instead of 0.88 of the
 * bcrypt ceiling at cost 12, 0.75 instead of 0.69 at cost 10, two workers on two cores). Only worker 1 runs the
 * outbox relay (the relay lock allows one publisher at a time anyway) with the housekeeping that goes where the
 * relay goes (the audit trail's retention, with or without a broker), and creates the start-up admin. Every worker
 * signs cookies with the same secret, or a session made by one would be refused by the next.
 */
export function workerEnv(
  env: Env,
  workers: number,
  index: number,
  sessionSecret: string,
  cores = availableParallelism(),
): Record<string, string | undefined> {
  const share = (total: number, least: number) => String(Math.max(least, Math.floor(total / workers)));
  return {
    SESSION_SECRET: sessionSecret,
    BCRYPT_THREADS: env.bcryptThreads !== undefined ? share(env.bcryptThreads, 1) : String(Math.ceil(cores / workers) + 1),
    DB_POOL_MAX: share(env.dbPoolMax, 2),
    BCRYPT_MAX_PENDING: share(env.bcryptMaxPending, 1),
    BCRYPT_MAX_PENDING_HASHES: share(env.bcryptMaxPendingHashes, 1),
    WEB_CONCURRENCY: '1',
    ...(index > 1 && { OUTBOX_RELAY_IN_PROCESS: 'false', ADMIN_USERNAME: undefined, ADMIN_PASSWORD: undefined }),
  };
}

/**
 * Whether this API process deletes audit entries past retention itself. With a broker the relay does, beside its
 * housekeeping; without one no relay runs, and the process that would run it does: the only process, or worker 1
 * of a cluster (the others are told OUTBOX_RELAY_IN_PROCESS=false), so the workers do not purge side by side.
 */
export function auditPurgeInApi(env: Env): boolean {
  return !env.kafka && env.outbox.relayInProcess;
}

/**
 * Runs the service as a cluster when more than one worker is wanted: this process becomes the primary, which
 * starts the workers, restarts one that dies, answers their metrics requests, and on SIGTERM or SIGINT stops them
 * all gracefully (each finishes its requests in flight) before it exits. Worker 1 starts alone first (it
 * migrates and creates the start-up admin), then the others. Resolves false when this process should serve
 * requests itself (a worker, or a single process).
 */
export async function runCluster(env: Env, log: Logger): Promise<boolean> {
  if (cluster.isWorker) {
    // Without the primary no connection reaches this worker: stop rather than linger.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    return false;
  }
  const workers = workerCount(env);
  if (workers <= 1) return false;

  let secret = env.sessionSecret;
  if (!secret) {
    secret = randomBytes(32).toString('hex');
    log.warn('SESSION_SECRET is not set: using a random one, so sessions end when the service stops');
  }
  serveClusterMetrics();
  let stopping = false;
  let failed = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork(workerEnv(env, workers, index, secret));
    let listened = false;
    worker.once('listening', () => (listened = true));
    worker.once('exit', (code, signal) => {
      const next = afterWorkerExit(code, listened, stopping);
      if (next === 'stop') {
        log.fatal({ worker: index, code }, 'a worker could not finish starting (its log line above says why): stopping');
        failed = true;
        stop('start-failed');
        return;
      }
      if (next === 'nothing') return; // one that never listened could not start: `listening` gives up
      log.error({ worker: index, code, signal }, 'worker stopped unexpectedly: starting another');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down the workers');
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exits = running.map((w) => new Promise<number>((resolve) => w.once('exit', (code) => resolve(code ?? 1))));
    for (const w of running) w.process.kill('SIGTERM');
    setTimeout(() => {
      log.error('workers still running past the shutdown timeout: killing them');
      for (const w of running) w.process.kill('SIGKILL');
    }, env.shutdownTimeoutMs + 5_000).unref();
    void Promise.all(exits).then((codes) => process.exit(!failed && codes.every((c) => c === 0) ? 0 : 1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  log.info({ workers }, 'starting workers');
  await listening(fork(1));
  await Promise.all(Array.from({ length: workers - 1 }, (_, i) => listening(fork(i + 2))));
  log.info({ workers }, 'all workers listening');
  return true;
}

/** Resolves once the worker listens; rejects if it exits first (it could not start: the primary gives up). */
function listening(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new WorkerStartFailed(code));
    worker.once('exit', exited);
    worker.once('listening', () => {
      worker.off('exit', exited);
      resolve();
    });
  });
}

/** A worker exited before it listened: its own fatal line says why; the primary stops too. */
export class WorkerStartFailed extends Error {
  constructor(readonly code: number | null) {
    super(`a worker could not start (exit code ${code}): its log line above says why`);
    this.name = 'WorkerStartFailed';
  }
}
