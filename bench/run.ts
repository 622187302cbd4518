/**
 * The benchmark harness: `npm run bench` (full, ~15 min) or `npm run bench -- --smoke` (seconds, for CI).
 * Options: --smoke (or BENCH_SMOKE=1), --only <phase,...> (logins, reads, isolation, events, growth, backlog,
 * footprint, audit, tokens). Environment: BENCH_DATABASE_URL (a MySQL/MariaDB server; default mysql://root@127.0.0.1:3306/test),
 * BENCH_KAFKA_BROKERS (else an Apache Kafka broker from Maven Central's jars; BENCH_KAFKA=mock: librdkafka's mock
 * cluster), UV_THREADPOOL_SIZE (passed to every child),
 * BENCH_CPU_PROF_DIR (run the main service under --cpu-prof), BENCH_STRICT=1 (exit 2 when a target is missed).
 * Writes bench/results/latest.json and bench/results/latest.md (a smoke run: bench/results/smoke/, git-ignored; a
 * run with --only: bench/results/only-<phases>/; so neither replaces the results the README cites). Progress goes to stderr. See bench/README.md.
 *
 * This file is the driver; each phase is a file of its own (logins.ts, reads.ts, ...) given one BenchContext.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { measureAudit } from './audit.js';
import { measureBacklog } from './backlog.js';
import { benchConfig, PASSWORD, POOL, type BenchContext } from './context.js';
import { measureEventLatency } from './events.js';
import { measureFootprintLoad } from './footprint.js';
import { measureGrowth } from './growth.js';
import { measureIsolation } from './isolation.js';
import { loginCookie } from './load.js';
import { measureLogins } from './logins.js';
import { measureReads } from './reads.js';
import { measureTokens } from './tokens.js';
import {
  createBenchDatabase,
  insertUser,
  insertUsers,
  openKnex,
  pendingOutbox,
  serverVersion,
  username,
  type BenchDatabase,
} from './db.js';
import { killAllNow, liveChildren, ROOT, rssOf, runScript, startService, type Service } from './processes.js';
import { progress } from './progress.js';
import { writeReport, type Report, type Row, type Target } from './report.js';
import { round } from './stats.js';

// ---------------------------------------------------------------------------------------------------------------
// Options and configuration

const PHASES = ['logins', 'reads', 'isolation', 'events', 'growth', 'backlog', 'footprint', 'audit', 'tokens'] as const;
type Phase = (typeof PHASES)[number];

const { values: argv } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean', default: false } },
  allowPositionals: false,
});
if (argv.help) {
  process.stderr.write(`usage: npm run bench -- [--smoke] [--only ${PHASES.join(',')}]\n`);
  process.exit(0);
}
const smoke = argv.smoke === true || process.env.BENCH_SMOKE === '1';
const only = new Set(
  (argv.only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const name of only) {
  if (!(PHASES as readonly string[]).includes(name)) {
    process.stderr.write(`unknown phase "${name}"; phases: ${PHASES.join(', ')}\n`);
    process.exit(2);
  }
}
const want = (phase: Phase) => only.size === 0 || only.has(phase);

const cfg = benchConfig(smoke);
const primaryCost = cfg.costs[0]!;

// ---------------------------------------------------------------------------------------------------------------
// Shared state

const rows: Row[] = [];
const errors: Report['errors'] = [];
const raw: Record<string, unknown> = {};
const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];
const logDir = mkdtempSync(join(os.tmpdir(), 'authsvc-bench-'));
const sessionSecret = randomBytes(32).toString('hex');
const tokenKeySecret = randomBytes(32).toString('hex');
const serverUrl = process.env.BENCH_DATABASE_URL || 'mysql://root@127.0.0.1:3306/test';
const started = performance.now();

let database: BenchDatabase | undefined;
let db: Knex | undefined;
let brokers: string[] = [];
let topic = '';
let kafkaKind = '';
/** What the service is given to reach the broker: KAFKA_BROKERS, and KAFKA_IDEMPOTENT=false on the mock. */
let kafkaEnv: Record<string, string> = {};
const hashes = new Map<number, string>();
const loginUsersByCost = new Map<number, string[]>();

function row(section: string, metric: string, value: number | string, unit?: string, target?: Target, note?: string): void {
  rows.push({ section, metric, value, ...(unit && { unit }), ...(target && { target }), ...(note && { note }) });
}

async function hashFor(cost: number): Promise<string> {
  if (!hashes.has(cost)) hashes.set(cost, await bcrypt.hash(PASSWORD, cost));
  return hashes.get(cost)!;
}

/** The compiled service as it is now: newest mtime and file count under dist/src (to notice a rebuild mid-run). */
function distFingerprint(): string {
  let newest = 0;
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        files += 1;
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  walk(join(ROOT, 'dist', 'src'));
  return `${files} files, newest ${new Date(newest).toISOString()}`;
}

function gitState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'package.json', 'package-lock.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean).length;
    return dirty ? `${head} + ${dirty} changed files under src/package*` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

let builtAs = '';
/** Every process starts from dist/: a rebuild during the run (another shell, a watcher) would mix two versions. */
function checkDist(when: string): void {
  const now = distFingerprint();
  if (now !== builtAs) {
    errors.push({ phase: when, message: `dist/src changed during the run (was ${builtAs}, now ${now}): results mix two builds` });
    builtAs = now;
  }
}

function serviceEnv(cost: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...(process.env.UV_THREADPOOL_SIZE && { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE }),
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database!.url,
    SESSION_SECRET: sessionSecret,
    MFA_KEY_SECRET: randomBytes(32).toString('hex'),
    TOKEN_KEY_SECRET: tokenKeySecret,
    BCRYPT_COST: String(cost),
    BCRYPT_MAX_PENDING: '10000',
    LOGIN_LIMITS_ACCOUNT: '1000000/60',
    LOGIN_LIMITS_CLIENT: '1000000/60',
    REGISTER_LIMITS_CLIENT: '1000000/60',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    KAFKA_BROKERS: brokers.join(','),
    ...kafkaEnv,
    KAFKA_TOPIC: topic,
    KAFKA_CLIENT_ID: 'authsvc-bench',
    // Tuning knobs of the service, passed through for experiments (e.g. DB_POOL_MAX=30 npm run bench).
    ...Object.fromEntries(SERVICE_PASSTHROUGH.filter((name) => process.env[name]).map((name) => [name, process.env[name]])),
    ...extra,
  };
}

const SERVICE_PASSTHROUGH = [
  'WEB_CONCURRENCY',
  'BCRYPT_THREADS',
  'DB_POOL_MAX',
  'OUTBOX_BATCH_SIZE',
  'OUTBOX_POLL_INTERVAL_MS',
  'SHUTDOWN_TIMEOUT_MS',
];

async function bootService(name: string, cost: number, profile = false, extra: Record<string, string> = {}): Promise<Service> {
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const nodeArgs = profile && profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  checkDist(`start of ${name}`);
  const service = await startService(name, logDir, serviceEnv(cost, extra), nodeArgs);
  cleanups.push({ name, run: () => service.stop() });
  return service;
}

async function phase(name: string, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  progress(`── ${name}`);
  try {
    await run();
    progress(`── ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    errors.push({ phase: name, message });
    progress(`── ${name} FAILED: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run

async function cleanup(): Promise<void> {
  while (cleanups.length) {
    const { name, run } = cleanups.pop()!;
    try {
      await run();
    } catch (err) {
      progress(`cleanup ${name} failed: ${(err as Error).message}`);
    }
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: cleaning up`);
    const hard = setTimeout(() => {
      killAllNow();
      process.exit(130);
    }, 30_000);
    void cleanup().finally(() => {
      clearTimeout(hard);
      killAllNow();
      process.exit(130);
    });
  });
}
process.on('exit', killAllNow);

async function main(): Promise<number> {
  const machine: Record<string, unknown> = {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ? Number(process.env.UV_THREADPOOL_SIZE) : '4 (unset)',
    bcryptThreads: process.env.BCRYPT_THREADS ? Number(process.env.BCRYPT_THREADS) : `unset (the service's default)`,
    loadAverage: os.loadavg().map((l) => round(l, 2)),
    git: gitState(),
  };
  builtAs = distFingerprint();
  machine.dist = builtAs;
  progress(`${smoke ? 'smoke' : 'full'} run; phases: ${only.size ? [...only].join(', ') : 'all'}; logs in ${logDir}`);
  try {
    machine.database = `${await serverVersion(serverUrl)} at ${new URL(serverUrl).host}`;
    database = await createBenchDatabase(serverUrl);
    cleanups.push({ name: `drop database ${database.name}`, run: () => database!.drop() });
    progress(`database ${database.name} created`);
    db = openKnex(database.url);
    cleanups.push({ name: 'knex', run: () => db!.destroy() });

    // Kafka: BENCH_KAFKA_BROKERS, else what the tests use (an Apache Kafka broker run from Maven Central's jars
    // when Java is installed, else a Docker Kafka, else librdkafka's mock cluster); BENCH_KAFKA=mock picks the
    // mock on purpose, to compare the two.
    delete process.env.KAFKA_BROKERS;
    if (process.env.BENCH_KAFKA_BROKERS) process.env.TEST_KAFKA_BROKERS = process.env.BENCH_KAFKA_BROKERS;
    else delete process.env.TEST_KAFKA_BROKERS;
    if (process.env.BENCH_KAFKA === 'mock') process.env.TEST_KAFKA_MOCK = '1';
    const { testKafka, stopRunBrokers } = await import('../test/support/test-kafka.js');
    const kafka = await testKafka();
    if (!kafka)
      throw new Error('no Kafka: set BENCH_KAFKA_BROKERS, install Java and Maven, or install librdkafka-dev for the mock cluster');
    cleanups.push({ name: 'kafka', run: () => kafka.dispose().then(stopRunBrokers) });
    kafkaEnv = kafka.env;
    brokers = kafka.brokers;
    kafkaKind = kafka.kind;
    topic = `authsvc-bench-${randomBytes(4).toString('hex')}`;
    await kafka.createTopic(topic, 3);
    machine.kafka = `${kafkaKind} (${brokers.join(',')}), topic ${topic} with 3 partitions`;
    progress(`Kafka: ${String(machine.kafka)}`);

    // Migrate first, so that every start-up below is a restart on an up-to-date database.
    const m0 = performance.now();
    await runScript(['dist/src/config/migrate.js'], serviceEnv(primaryCost));
    row('6. Footprint', 'migrations on a fresh database (node dist/src/config/migrate.js)', Math.round(performance.now() - m0), 'ms');

    const ctx: BenchContext = {
      cfg,
      smoke,
      primaryCost,
      db,
      kafka: { brokers, topic },
      logDir,
      loginUsersByCost,
      row,
      raw,
      cleanup: (name, run) => void cleanups.push({ name, run }),
      hashFor,
      serviceEnv,
      checkDist,
    };

    // 1 at the other costs, each on a service of its own.
    if (want('logins')) {
      for (const cost of cfg.costs.slice(1)) {
        await phase(`logins at cost ${cost}`, async () => {
          const service = await bootService(`service-cost${cost}`, cost);
          try {
            row('6. Footprint', `start-up, spawn → /health/ready 200 (BCRYPT_COST ${cost})`, service.startupMs, 'ms', {
              op: '<=',
              value: 1_000,
            });
            await seedLoginUsers(cost);
            await measureLogins(ctx, service, cost);
          } finally {
            await service.stop();
          }
        });
      }
    }

    // 7. The audit trail's cost, on services of their own.
    if (want('audit')) {
      await phase('audit', async () => {
        await measureAudit({
          db: db!,
          cost: primaryCost,
          hash: await hashFor(primaryCost),
          password: PASSWORD,
          durationS: cfg.durationS,
          warmS: cfg.warmS,
          connections: 2 * POOL,
          boot: (name, extra) => bootService(name, primaryCost, false, extra),
          row,
          raw,
        });
      });
    }

    // Everything else on one service at the primary cost.
    const onPrimary = (['logins', 'reads', 'isolation', 'events', 'growth', 'footprint', 'tokens'] as const).some(want);
    let service: Service | undefined;
    if (onPrimary) {
      service = await bootService(`service-cost${primaryCost}`, primaryCost, true);
      row('6. Footprint', `start-up, spawn → /health/ready 200 (BCRYPT_COST ${primaryCost})`, service.startupMs, 'ms', {
        op: '<=',
        value: 1_000,
      });
      raw.readiness = service.readiness;
      await sleep(smoke ? 500 : 2000);
      const idle = rssOf(service.pid);
      if (idle !== undefined)
        row('6. Footprint', 'RSS at idle (after start-up), largest process (one worker)', round(idle / 2 ** 20, 1), 'MiB', {
          op: '<=',
          value: 80,
        });

      progress(`seeding ${cfg.baseUsers} users, an admin and ${cfg.loginUsers} login users ...`);
      const userIds = await insertUsers(db, { from: 1, to: cfg.baseUsers, hash: await hashFor(primaryCost) });
      await insertUser(db, 'bench-admin', await hashFor(primaryCost), 'admin');
      await seedLoginUsers(primaryCost);

      const s = service;
      if (want('logins')) await phase(`logins at cost ${primaryCost}`, () => measureLogins(ctx, s, primaryCost));
      if (want('reads')) await phase('reads', () => measureReads(ctx, s));
      else if (want('footprint')) await phase('footprint under load', () => measureFootprintLoad(ctx, s));
      if (want('isolation')) await phase('isolation', () => measureIsolation(ctx, s));
      if (want('events')) await phase('event latency', () => measureEventLatency(ctx, s, userIds));
      if (want('tokens')) {
        const bench = { durationS: cfg.durationS, warmS: cfg.warmS, connections: cfg.readConnections, row, raw };
        await phase('tokens', async () => measureTokens(s, { ...bench, cookie: await loginCookie(s.base, username(2)) }));
      }
      if (want('growth')) await phase('growth', () => measureGrowth(ctx, s, userIds));

      // Let the in-process relay finish before it stops, so the backlog starts from an empty queue.
      const deadline = Date.now() + 60_000;
      while ((await pendingOutbox(db)) > 0 && Date.now() < deadline) await sleep(200);
      const code = await service.stop();
      if (code !== 0) errors.push({ phase: 'service', message: `the service exited ${code} on SIGTERM:\n${service.tail()}` });
    }

    if (want('backlog')) {
      await phase('backlog', async () => {
        await measureBacklog(ctx);
      });
    }
  } catch (err) {
    errors.push({ phase: 'setup', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    progress(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await cleanup();
  }
  checkDist('end of the run');
  machine.loadAverageAtEnd = os.loadavg().map((l) => round(l, 2));

  const report: Report = {
    mode: smoke ? 'smoke' : 'full',
    judged: !smoke,
    machine,
    config: { ...cfg, threadPool: POOL, phases: only.size ? [...only] : [...PHASES] },
    rows,
    errors,
    raw,
    durationS: (performance.now() - started) / 1000,
  };
  // bench/results/latest.md is the full run the README cites: a smoke run's tiny numbers go to smoke/, a run of
  // some phases to only-<phases>/, so neither replaces it with a partial table.
  const partial = only.size > 0 ? [`only-${[...only].sort().join('+')}`] : [];
  const files = writeReport(join(ROOT, 'bench', 'results', ...(smoke ? ['smoke'] : partial)), report);
  printTable(report);
  progress(`wrote ${files.json} and ${files.md}`);
  if (errors.length === 0 && process.env.BENCH_KEEP_LOGS !== '1') rmSync(logDir, { recursive: true, force: true });
  else progress(`service logs kept in ${logDir}`);
  if (liveChildren() > 0) progress(`warning: ${liveChildren()} child processes still running; killing them`);
  if (errors.length) return 1;
  if (!smoke && process.env.BENCH_STRICT === '1' && rows.some((r) => r.met === false)) return 2;
  return 0;
}

async function seedLoginUsers(cost: number): Promise<void> {
  const hash = await hashFor(cost);
  const names: string[] = [];
  for (let i = 1; i <= cfg.loginUsers; i += 1) {
    const name = `login-c${cost}-${i}`;
    await insertUser(db!, name, hash);
    names.push(name);
  }
  loginUsersByCost.set(cost, names);
}

function printTable(report: Report): void {
  const width = Math.max(...report.rows.map((r) => r.metric.length + (r.note ? r.note.length + 3 : 0)), 10);
  if (!report.judged) process.stderr.write(`\n${report.mode} run: the numbers show the harness runs; no target is judged\n`);
  let section = '';
  for (const r of report.rows) {
    if (r.section !== section) {
      section = r.section;
      process.stderr.write(`\n${section}\n`);
    }
    const value = typeof r.value === 'number' ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : r.value;
    // Targets are shown only where they were judged: a smoke run's tiny numbers are not held against them.
    const target = r.target && report.judged ? `target ${r.target.op} ${r.target.value}` : '';
    const met = r.met === undefined ? '' : r.met ? 'met' : 'NOT MET';
    const metric = r.note ? `${r.metric} (${r.note})` : r.metric;
    process.stderr.write(`  ${metric.padEnd(width)}  ${value.padEnd(22)} ${target.padEnd(16)} ${met}\n`);
  }
  for (const e of report.errors) process.stderr.write(`\nERROR in ${e.phase}: ${e.message}\n`);
}

const code = await main();
if (!interrupted) process.exit(code);
