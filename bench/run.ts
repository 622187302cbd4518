/**
 * The benchmark harness: `npm run bench` (full, ~15 min) or `npm run bench -- --smoke` (seconds, for CI).
 * Options: --smoke (or BENCH_SMOKE=1), --only <phase,...> (logins, reads, isolation, events, growth, backlog,
 * footprint, audit, tokens). Environment: BENCH_DATABASE_URL (a MySQL/MariaDB server; default mysql://root@127.0.0.1:3306/test),
 * BENCH_KAFKA_BROKERS (else an Apache Kafka broker from Maven Central's jars; BENCH_KAFKA=mock: librdkafka's mock
 * cluster), UV_THREADPOOL_SIZE (passed to every child),
 * BENCH_CPU_PROF_DIR (run the main service under --cpu-prof), BENCH_STRICT=1 (exit 2 when a target is missed).
 * Writes bench/results/latest.json and bench/results/latest.md (a smoke run: bench/results/smoke/, git-ignored, so it
 * never replaces the results the README cites). Progress goes to stderr. See bench/README.md.
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
import { cannon, type CannonResult } from './cannon.js';
import { measureTokens } from './tokens.js';
import { startConsumer } from './consumer.js';
import { cpuMeter, describeCpu } from './cpu.js';
import {
  countOf,
  createBenchDatabase,
  insertOutbox,
  insertSessions,
  insertUser,
  insertUsers,
  openKnex,
  pendingOutbox,
  serverVersion,
  username,
  type BenchDatabase,
} from './db.js';
import { httpRequest, paced, type PacedResult } from './paced.js';
import {
  killAllNow,
  liveChildren,
  ROOT,
  rssOf,
  runScript,
  sampleRss,
  startLogged,
  startReporting,
  startService,
  stopChild,
  type Service,
} from './processes.js';
import { progress } from './progress.js';
import { writeReport, type Report, type Row, type Target } from './report.js';
import { ratio, round, summarize, type LatencySummary } from './stats.js';

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

const POOL = Number(process.env.UV_THREADPOOL_SIZE || 4);
const PASSWORD = 'bench password 0123456789';

const cfg = smoke
  ? {
      durationS: 1,
      warmS: 0.5,
      costs: [4],
      loginUsers: 4,
      readConnections: 20,
      fixedRate: 100,
      eventsRate: 200,
      eventsDurationS: 2,
      loginRate: 20,
      baseUsers: 1000,
      growthUsers: 2000,
      sessions: 1000,
      backlog: 1000,
      samples: 10,
    }
  : {
      durationS: 15,
      warmS: 3,
      costs: [10, 12],
      loginUsers: 4,
      readConnections: 20,
      fixedRate: 100,
      eventsRate: 200,
      eventsDurationS: 20,
      loginRate: 5,
      baseUsers: 1000,
      growthUsers: 1_000_000,
      sessions: 100_000,
      backlog: 50_000,
      samples: 20,
    };
const primaryCost = cfg.costs[0]!;
const durationMs = cfg.durationS * 1000;

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

/**
 * After a bulk insert the server flushes dirty pages for a while; measuring during that flush would charge it
 * to the table size. Waits (up to a limit) until the dirty pages fall under 1% of the pool or stop falling.
 */
async function settleDatabase(label: string): Promise<void> {
  const limitMs = smoke ? 2000 : 60_000;
  const t0 = performance.now();
  const status = async () => {
    const [rows] = (await db!.raw(
      "show global status where Variable_name in ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')",
    )) as [Array<{ Variable_name: string; Value: string }>];
    const get = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0);
    return { dirty: get('Innodb_buffer_pool_pages_dirty'), total: get('Innodb_buffer_pool_pages_total') };
  };
  let last = await status();
  const first = last.dirty;
  while (performance.now() - t0 < limitMs && last.dirty > last.total / 100) {
    await sleep(2000);
    const now = await status();
    if (now.dirty >= last.dirty) break;
    last = now;
  }
  const waited = Math.round((performance.now() - t0) / 1000);
  progress(`${label}: dirty pages ${first} → ${last.dirty} of ${last.total} after ${waited} s`);
  const settles = (raw.settle ??= []) as unknown[];
  settles.push({ label, dirtyBefore: first, dirtyAfter: last.dirty, pages: last.total, waitedS: waited });
}

async function bootService(name: string, cost: number, profile = false, extra: Record<string, string> = {}): Promise<Service> {
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const nodeArgs = profile && profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  checkDist(`start of ${name}`);
  const service = await startService(name, logDir, serviceEnv(cost, extra), nodeArgs);
  cleanups.push({ name, run: () => service.stop() });
  return service;
}

async function loginCookie(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login as ${name}: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  if (!cookies.some((c) => c.startsWith('authsvc.sid=')) || !cookies.some((c) => c.startsWith('authsvc.sid.sig='))) {
    throw new Error(`login as ${name}: expected authsvc.sid and authsvc.sid.sig cookies, got ${cookies.join('; ')}`);
  }
  return cookies.join('; ');
}

/** "p50 / p99 ms" for a table cell. */
const pair = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;

const loginBody = (name: string) => JSON.stringify({ username: name, password: PASSWORD });
const meRequest = (cookie: string) => httpRequest('GET', '/users/me', { cookie });
const loginRequest = (name: string) => httpRequest('POST', '/login', { 'content-type': 'application/json' }, loginBody(name));

/** Closed-loop POST /login from a few users round-robin, enough connections to keep the thread pool busy. */
function loginLoad(service: Service, users: string[], durationS: number): Promise<CannonResult> {
  return cannon({
    url: service.base,
    connections: 2 * POOL,
    duration: durationS,
    requests: users.map((u) => ({
      method: 'POST' as const,
      path: '/login',
      headers: { 'content-type': 'application/json' },
      body: loginBody(u),
    })),
  });
}

function pacedSummary(
  result: PacedResult,
): LatencySummary & { ok: number; errors: number; queued: number; statuses: Record<string, number> } {
  return { ...summarize(result.latencies), ok: result.ok, errors: result.errors, queued: result.queued, statuses: result.statuses };
}

function evenlySpaced(count: number, max: number): number[] {
  const n = Math.min(count, max);
  return Array.from({ length: n }, (_, k) => 1 + Math.floor(((k + 0.5) * max) / n));
}

async function ceiling(cost: number): Promise<{ perSecond: number; compares: number; concurrency: number }> {
  const out = await runScript(['--import', 'tsx', 'bench/bcrypt-ceiling.ts', String(cost), String(durationMs)], { ...process.env });
  return JSON.parse(out.trim().split('\n').pop()!) as { perSecond: number; compares: number; concurrency: number };
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
// Measurements

/** 1. Logins per second against the bcrypt ceiling at one cost. */
async function measureLogins(service: Service, cost: number): Promise<void> {
  const users = loginUsersByCost.get(cost)!;
  await loginLoad(service, users, cfg.warmS);
  progress(`bcrypt ceiling at cost ${cost} (${POOL} in flight, ${cfg.durationS} s) ...`);
  const before = await ceiling(cost);
  progress(`POST /login at cost ${cost}, ${2 * POOL} connections, ${cfg.durationS} s ...`);
  const cpu = cpuMeter(service.pid);
  const logins = await loginLoad(service, users, cfg.durationS);
  const cpuShare = cpu.stop();
  const after = await ceiling(cost);
  const ceil = (before.perSecond + after.perSecond) / 2;
  progress(`cost ${cost}: ${logins.rps} logins/s, ceiling ${round(before.perSecond, 1)} / ${round(after.perSecond, 1)} compares/s`);
  raw[`logins_cost${cost}`] = { logins, ceilingBefore: before, ceilingAfter: after, cpu: cpuShare };
  const section = `1. Logins vs bcrypt ceiling, cost ${cost}`;
  row(section, 'logins/s (POST /login, saturated)', logins.rps, '/s');
  row(section, 'bcrypt ceiling, compares/s (mean of before and after)', round(ceil, 1), '/s');
  row(section, 'ratio logins / ceiling', ratio(logins.rps, ceil), undefined, { op: '>=', value: 0.9 });
  row(section, 'login non-2xx responses', logins.non2xx + logins.errors, undefined, { op: '==', value: 0 });
  row(section, 'login latency p50 / p99 at saturation', pair(logins.latency.p50, logins.latency.p99));
  row(section, 'CPU cores busy during the logins', describeCpu(cpuShare));
}

/** 2 and 6. Authenticated reads at saturation and at half that rate; a bare Koa route; memory under load. */
async function measureReads(service: Service): Promise<void> {
  const cookie = await loginCookie(service.base, username(1));
  const me = { url: `${service.base}/users/me`, connections: cfg.readConnections, headers: { cookie } };
  await cannon({ ...me, duration: cfg.warmS });
  progress(`GET /users/me saturated, ${cfg.readConnections} connections, ${cfg.durationS} s ...`);
  const rss = sampleRss(service.pid);
  const cpu = cpuMeter(service.pid);
  const saturated = await cannon({ ...me, duration: cfg.durationS });
  const cpuShare = cpu.stop();
  const rssUnderLoad = rss.stop();
  if (saturated.ok === 0) throw new Error(`GET /users/me answered no 2xx: ${JSON.stringify(saturated.statuses)}`);
  const half = Math.max(1, Math.round(saturated.rps / 2));
  progress(`${saturated.rps} req/s saturated; now paced at ${half} req/s ...`);
  const halfRate = await paced({
    host: '127.0.0.1',
    port: service.port,
    rate: half,
    durationMs,
    request: () => meRequest(cookie),
    warmSockets: 16,
  });
  const halfSummary = pacedSummary(halfRate);
  // For comparison only: autocannon's overallRate sends each connection's quota in a burst every second.
  const bursty = await cannon({ ...me, overallRate: half, duration: cfg.durationS });

  // The same with one session per connection: every request above updates the one session row (rolling expiry),
  // so they queue on its row lock; this shows how much of the limit is that.
  const cookies: string[] = [];
  for (const n of evenlySpaced(cfg.readConnections, cfg.baseUsers)) cookies.push(await loginCookie(service.base, username(n)));
  let next = 0;
  const manySessions = await cannon({
    url: `${service.base}/users/me`,
    connections: cfg.readConnections,
    duration: cfg.durationS,
    setupClient: (client) => client.setHeaders({ cookie: cookies[next++ % cookies.length]! }),
  });
  progress(`${manySessions.rps} req/s with ${cookies.length} sessions`);

  progress('bare Koa child ...');
  const bare = await startReporting(['--import', 'tsx', 'bench/bare-koa.ts'], { PATH: process.env.PATH, NODE_ENV: 'production' });
  cleanups.push({ name: 'bare-koa', run: () => stopChild(bare.child) });
  let bareSaturated: CannonResult;
  try {
    const url = `http://127.0.0.1:${String(bare.first.port)}/`;
    await cannon({ url, connections: cfg.readConnections, duration: cfg.warmS });
    bareSaturated = await cannon({ url, connections: cfg.readConnections, duration: cfg.durationS });
  } finally {
    await stopChild(bare.child);
  }
  progress(`bare Koa ${bareSaturated.rps} req/s`);
  raw.reads = {
    cpu: cpuShare,
    saturated,
    halfRate: { rate: half, ...halfSummary },
    autocannonOverallRate: bursty,
    manySessions,
    bare: bareSaturated,
  };

  const section = '2. Authenticated reads (GET /users/me, cookie reused)';
  row(section, `rps saturated (${cfg.readConnections} connections)`, saturated.rps, '/s');
  row(section, 'p50 saturated', saturated.latency.p50, 'ms');
  row(section, 'p99 saturated', saturated.latency.p99, 'ms');
  row(section, 'CPU cores busy while saturated', describeCpu(cpuShare));
  row(
    section,
    'non-2xx responses (saturated + paced)',
    saturated.non2xx + saturated.errors + (halfSummary.count === halfRate.sent ? 0 : halfRate.sent - halfSummary.count),
  );
  row(section, `p50 at half rate (${half} req/s, paced)`, halfSummary.p50, 'ms');
  row(section, `p99 at half rate (${half} req/s, paced)`, halfSummary.p99, 'ms', { op: '<', value: 10 });
  row(section, `p99 at half rate, autocannon overallRate (bursty)`, bursty.latency.p99, 'ms', undefined, 'for comparison');
  row(section, `rps saturated, ${cookies.length} sessions (one per connection)`, manySessions.rps, '/s', undefined, 'for comparison');
  row(section, `p50 / p99 saturated, ${cookies.length} sessions`, pair(manySessions.latency.p50, manySessions.latency.p99));
  row(section, `bare Koa {ok:true} rps (${cfg.readConnections} connections)`, bareSaturated.rps, '/s');
  row(section, 'ratio reads / bare Koa rps', ratio(saturated.rps, bareSaturated.rps));
  if (rssUnderLoad !== undefined)
    row('6. Footprint', 'RSS under read load (max while saturated), largest process', round(rssUnderLoad / 2 ** 20, 1), 'MiB');
}

/** 6 without the read phase: memory under a short read load. */
async function measureFootprintLoad(service: Service): Promise<void> {
  const cookie = await loginCookie(service.base, username(1));
  const rss = sampleRss(service.pid);
  await cannon({ url: `${service.base}/users/me`, connections: cfg.readConnections, duration: cfg.durationS, headers: { cookie } });
  const max = rss.stop();
  if (max !== undefined) row('6. Footprint', 'RSS under read load (max while saturated)', round(max / 2 ** 20, 1), 'MiB');
}

/**
 * 3. /users/me p99 at a fixed rate, alone and while logins saturate the thread pool. Alone is measured before and
 * after (half the duration each, latencies pooled), so slow drifts in the machine's load hit both sides alike.
 */
async function measureIsolation(service: Service): Promise<void> {
  const cookie = await loginCookie(service.base, username(2));
  const run = (ms: number) =>
    paced({ host: '127.0.0.1', port: service.port, rate: cfg.fixedRate, durationMs: ms, request: () => meRequest(cookie) });
  progress(`GET /users/me at ${cfg.fixedRate} req/s, no other load ...`);
  const alone1 = await run(durationMs / 2);
  progress(`GET /users/me at ${cfg.fixedRate} req/s while POST /login saturates ...`);
  const lead = smoke ? 0.5 : 2;
  const logins = loginLoad(service, loginUsersByCost.get(primaryCost)!, cfg.durationS + 2 * lead);
  await sleep(lead * 1000);
  const cpu = cpuMeter(service.pid);
  const loadedRun = await run(durationMs);
  const cpuShare = cpu.stop();
  const loginResult = await logins;
  progress(`GET /users/me at ${cfg.fixedRate} req/s, no other load, again ...`);
  const alone2 = await run(durationMs / 2);
  const unloaded = { ...summarize([...alone1.latencies, ...alone2.latencies]), first: pacedSummary(alone1), second: pacedSummary(alone2) };
  const loaded = pacedSummary(loadedRun);
  raw.isolation = { unloaded, loaded, logins: loginResult, cpu: cpuShare };
  const section = `3. Isolation (GET /users/me at ${cfg.fixedRate} req/s)`;
  row(section, 'p99 without login load (before and after)', unloaded.p99, 'ms');
  row(section, `p99 while POST /login saturates (${loginResult.rps} logins/s)`, loaded.p99, 'ms');
  row(section, 'p50 without / with login load', pair(unloaded.p50, loaded.p50));
  row(section, 'ratio p99 loaded / unloaded', ratio(loaded.p99, unloaded.p99), undefined, { op: '<', value: 3 });
  row(section, 'CPU cores busy with login load', describeCpu(cpuShare));
}

/** 4a. Commit-to-consumer latency of events at a steady rate, from role changes (no bcrypt). */
async function measureEventLatency(service: Service, userIds: Map<number, string>): Promise<void> {
  const admin = await loginCookie(service.base, 'bench-admin');
  // Each request toggles a user that has no change in flight, so every 2xx is one event (a change sent while the
  // previous one on the same user is still running could arrive first and be a no-op). More users than the
  // generator has sockets (64), so a free one is always there.
  const targets = Array.from({ length: 100 }, (_, k) => ({ id: userIds.get(101 + k)!, next: 0 }));
  const targetSet = new Set(targets.map((t) => t.id));
  const bytes = targets.map(({ id }) =>
    (['admin', 'user'] as const).map((role) =>
      httpRequest('PUT', `/users/${id}/role`, { cookie: admin, 'content-type': 'application/json' }, JSON.stringify({ role })),
    ),
  );
  const free = targets.map((_, k) => k);
  const busy = new Map<number, number>();
  const consumer = await startConsumer(brokers, topic);

  const run = async (rate: number, seconds: number) => {
    const since = Date.now();
    const seen = consumer.arrivals.length;
    const writtenBefore = await countOf(db!, "select count(*) from outbox where type = 'user.role_changed'");
    progress(`PUT /users/{id}/role at ${rate}/s for ${seconds} s (${targets.length} users toggled) ...`);
    const cpu = cpuMeter(service.pid);
    const load = await paced({
      host: '127.0.0.1',
      port: service.port,
      rate,
      durationMs: seconds * 1000,
      request: (i) => {
        const k = free.shift() ?? i % targets.length;
        busy.set(i, k);
        const target = targets[k]!;
        const out = bytes[k]![target.next]!;
        target.next = target.next === 0 ? 1 : 0;
        return out;
      },
      onResponse: (i, status) => {
        const k = busy.get(i);
        busy.delete(i);
        if (k === undefined) return;
        // A refused change did not happen: the user keeps its role, so send the same change next time.
        if (status < 200 || status >= 300) targets[k]!.next = targets[k]!.next === 0 ? 1 : 0;
        if (!free.includes(k)) free.push(k);
      },
    });
    const cpuShare = cpu.stop();
    const ours = () =>
      consumer.arrivals.slice(seen).filter((a) => a.type === 'user.role_changed' && targetSet.has(a.subject) && a.time >= since - 1000);
    await consumer.until(() => ours().length >= load.ok, smoke ? 5000 : 15_000);
    const got = ours();
    const written = (await countOf(db!, "select count(*) from outbox where type = 'user.role_changed'")) - writtenBefore;
    return {
      load,
      http: summarize(load.latencies),
      written,
      received: got.length,
      latency: summarize(got.map((a) => a.receivedAt - a.time)),
      cpu: cpuShare,
    };
  };

  try {
    const section = `4. Events (user.role_changed, in-process relay)`;
    const low = await run(Math.round(cfg.eventsRate / 4), Math.max(1, Math.round(cfg.eventsDurationS / 2)));
    const high = await run(cfg.eventsRate, cfg.eventsDurationS);
    raw.events = {
      [low.load.rate]: { ...low, load: pacedSummary(low.load) },
      [high.load.rate]: { ...high, load: pacedSummary(high.load) },
    };
    for (const r of [low, high]) {
      const at = `at ${r.load.rate}/s`;
      const judged = r === high;
      row(section, `${at}: role changes answered 2xx / events written / received`, `${r.load.ok} / ${r.written} / ${r.received}`);
      row(
        section,
        `${at}: role changes answered non-2xx`,
        r.load.completed - r.load.ok + r.load.errors,
        undefined,
        judged ? { op: '==', value: 0 } : undefined,
        JSON.stringify(r.load.statuses),
      );
      row(section, `${at}: PUT /users/{id}/role p50 / p99 (HTTP)`, pair(r.http.p50, r.http.p99));
      row(section, `${at}: commit-to-consumer p50`, r.latency.p50, 'ms');
      row(
        section,
        `${at}: commit-to-consumer p99`,
        r.latency.p99,
        'ms',
        judged ? { op: '<', value: 100 } : undefined,
        judged ? undefined : 'for comparison',
      );
      row(section, `${at}: CPU cores busy`, describeCpu(r.cpu));
    }
  } finally {
    await consumer.stop();
  }
}

/** 5. Login and /users/me latency with few users, then after growing to growthUsers; then with many sessions. */
async function measureGrowth(service: Service, userIds: Map<number, string>): Promise<void> {
  const latencies = async (label: string, maxN: number) => {
    const names = evenlySpaced(cfg.samples, maxN).map(username);
    const cookies: string[] = [];
    for (const name of names) cookies.push(await loginCookie(service.base, name));
    const loginBytes = names.map(loginRequest);
    progress(`${label}: POST /login at ${cfg.loginRate}/s, ${cfg.durationS} s (${names.length} users spread over ${maxN}) ...`);
    const cpu = cpuMeter(service.pid);
    const login = pacedSummary(
      await paced({
        host: '127.0.0.1',
        port: service.port,
        rate: cfg.loginRate,
        durationMs,
        request: (i) => loginBytes[i % names.length]!,
      }),
    );
    const loginCpu = cpu.stop();
    const me = await meLatency(label, cookies);
    return { login, loginCpu, me, cookies };
  };
  const meLatency = async (label: string, cookies: string[]) => {
    const meBytes = cookies.map(meRequest);
    await paced({
      host: '127.0.0.1',
      port: service.port,
      rate: cfg.fixedRate,
      durationMs: cfg.warmS * 1000,
      request: (i) => meBytes[i % meBytes.length]!,
    });
    progress(`${label}: GET /users/me at ${cfg.fixedRate} req/s, ${cfg.durationS} s ...`);
    const cpu = cpuMeter(service.pid);
    const result = pacedSummary(
      await paced({ host: '127.0.0.1', port: service.port, rate: cfg.fixedRate, durationMs, request: (i) => meBytes[i % meBytes.length]! }),
    );
    return { ...result, cpu: cpu.stop() };
  };

  const usersBefore = await countOf(db!, 'select count(*) from users');
  const before = await latencies(`${usersBefore} users`, cfg.baseUsers);

  progress(`inserting users ${username(cfg.baseUsers + 1)}..${username(cfg.growthUsers)} in rows of 5,000 ...`);
  const t0 = performance.now();
  let lastTenth = 0;
  const more = await insertUsers(
    db!,
    { from: cfg.baseUsers + 1, to: cfg.growthUsers, hash: await hashFor(primaryCost) },
    100,
    (done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        progress(
          `  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} users inserted (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
      }
    },
  );
  const insertS = (performance.now() - t0) / 1000;
  await settleDatabase('after the users');
  const usersAfter = await countOf(db!, 'select count(*) from users');
  const after = await latencies(`${usersAfter} users`, cfg.growthUsers);

  const sessionsBefore = await countOf(db!, 'select count(*) from sessions');
  progress(`inserting ${cfg.sessions.toLocaleString('en-US')} live sessions ...`);
  const sessionUsers = [...userIds.values(), ...more.values()];
  await insertSessions(db!, cfg.sessions, sessionUsers);
  await settleDatabase('after the sessions');
  const sessionsAfter = await countOf(db!, 'select count(*) from sessions');
  // Fresh logins, as for the other two: a session's row is rewritten when its idle deadline has aged by a minute,
  // and reusing older cookies would put those writes in this measurement only.
  const freshCookies: string[] = [];
  for (const n of evenlySpaced(cfg.samples, cfg.growthUsers)) freshCookies.push(await loginCookie(service.base, username(n)));
  const withSessions = await meLatency(`${sessionsAfter} sessions`, freshCookies);

  raw.growth = { usersBefore, usersAfter, insertSeconds: round(insertS, 1), before, after, sessionsBefore, sessionsAfter, withSessions };
  const section = `5. Growth (${usersBefore.toLocaleString('en-US')} → ${usersAfter.toLocaleString('en-US')} users; ${sessionsBefore.toLocaleString('en-US')} → ${sessionsAfter.toLocaleString('en-US')} sessions)`;
  row(
    section,
    `login p50 / p99 at ${cfg.loginRate}/s, ${usersBefore.toLocaleString('en-US')} users`,
    pair(before.login.p50, before.login.p99),
  );
  row(
    section,
    `login p50 / p99 at ${cfg.loginRate}/s, ${usersAfter.toLocaleString('en-US')} users`,
    pair(after.login.p50, after.login.p99),
  );
  row(section, 'ratio login p50 after / before', ratio(after.login.p50, before.login.p50), undefined, { op: '<=', value: 1.2 });
  row(
    section,
    'ratio login p99 after / before',
    ratio(after.login.p99, before.login.p99),
    undefined,
    { op: '<=', value: 1.2 },
    `${before.login.count} samples each`,
  );
  row(
    section,
    `/users/me p50 / p99 at ${cfg.fixedRate}/s, ${usersBefore.toLocaleString('en-US')} users`,
    pair(before.me.p50, before.me.p99),
  );
  row(section, `/users/me p50 / p99 at ${cfg.fixedRate}/s, ${usersAfter.toLocaleString('en-US')} users`, pair(after.me.p50, after.me.p99));
  row(section, 'ratio /users/me p50 after / before', ratio(after.me.p50, before.me.p50), undefined, { op: '<=', value: 1.2 });
  row(section, 'ratio /users/me p99 after / before', ratio(after.me.p99, before.me.p99), undefined, { op: '<=', value: 1.2 });
  row(section, `/users/me p50 / p99 with ${sessionsAfter.toLocaleString('en-US')} sessions`, pair(withSessions.p50, withSessions.p99));
  row(section, 'ratio /users/me p50, many / few sessions', ratio(withSessions.p50, after.me.p50), undefined, { op: '<=', value: 1.2 });
  row(section, 'ratio /users/me p99, many / few sessions', ratio(withSessions.p99, after.me.p99), undefined, { op: '<=', value: 1.2 });
  row(section, `CPU cores busy, /users/me with ${usersBefore.toLocaleString('en-US')} users`, describeCpu(before.me.cpu));
  row(section, `CPU cores busy, /users/me with ${usersAfter.toLocaleString('en-US')} users`, describeCpu(after.me.cpu));
  row(section, `CPU cores busy, /users/me with ${sessionsAfter.toLocaleString('en-US')} sessions`, describeCpu(withSessions.cpu));
  row(section, `time to insert ${(cfg.growthUsers - cfg.baseUsers).toLocaleString('en-US')} users`, round(insertS, 1), 's');
}

/** 4b. A backlog of outbox rows published by a standalone relay. */
async function measureBacklog(): Promise<void> {
  const pendingBefore = await pendingOutbox(db!);
  if (pendingBefore > 0) throw new Error(`${pendingBefore} outbox rows were still pending before the backlog run`);
  progress(`inserting ${cfg.backlog.toLocaleString('en-US')} pending user.logged_in outbox rows ...`);
  const ids = await insertOutbox(db!, cfg.backlog);
  const consumer = await startConsumer(brokers, topic);
  try {
    progress('starting the standalone relay (node dist/src/config/relay-main.js) ...');
    const t0 = performance.now();
    checkDist('start of the relay');
    const relay = startLogged('relay', logDir, ['dist/src/config/relay-main.js'], serviceEnv(primaryCost));
    const cpu = cpuMeter(relay.pid);
    cleanups.push({ name: 'relay', run: () => relay.stop() });
    let first: { t: number; remaining: number } | undefined;
    let doneAt: number | undefined;
    const deadline = Date.now() + (smoke ? 60_000 : 600_000);
    while (doneAt === undefined) {
      const remaining = await pendingOutbox(db!);
      const now = performance.now();
      if (remaining < cfg.backlog && !first) first = { t: now, remaining };
      if (remaining === 0) doneAt = now;
      else if (relay.child.exitCode !== null) throw new Error(`the relay exited ${relay.child.exitCode}:\n${relay.tail()}`);
      else if (Date.now() > deadline) throw new Error(`${remaining} rows still pending at the deadline:\n${relay.tail()}`);
      else await sleep(100);
    }
    const cpuShare = cpu.stop();
    const consumedAll = await consumer.until((a) => a.filter((x) => ids.has(x.id)).length >= cfg.backlog, smoke ? 10_000 : 120_000);
    const ours = consumer.arrivals.filter((a) => ids.has(a.id));
    const uniq = new Set(ours.map((a) => a.id)).size;
    const parked = await countOf(db!, 'select count(*) from outbox where parked_at is not null');
    await relay.stop();
    const sinceSpawnS = (doneAt - t0) / 1000;
    // The rows still pending at the first sign of progress were all published between then and the end.
    const steady = first && doneAt > first.t ? first.remaining / ((doneAt - first.t) / 1000) : cfg.backlog / sinceSpawnS;
    const recv = ours.map((a) => a.receivedAt);
    const consumeSpanS = recv.length > 1 ? (Math.max(...recv) - Math.min(...recv)) / 1000 : Number.NaN;
    raw.backlog = {
      rows: cfg.backlog,
      sinceSpawnS,
      firstProgress: first && { afterS: (first.t - t0) / 1000, remaining: first.remaining },
      steady,
      consumed: ours.length,
      unique: uniq,
      consumeSpanS,
      parked,
      cpu: cpuShare,
    };
    const section = `4. Outbox backlog (${cfg.backlog.toLocaleString('en-US')} rows, standalone relay)`;
    row(section, 'published events/s (from the first batch to the last)', round(steady, 0), '/s', { op: '>=', value: 5000 });
    row(section, 'spawn of relay → all published', round(sinceSpawnS, 2), 's');
    row(section, 'consumed (unique) / inserted', `${uniq} / ${cfg.backlog}${consumedAll ? '' : ' (timed out)'}`);
    row(section, 'consumer events/s (first to last arrival)', round((uniq - 1) / consumeSpanS, 0), '/s');
    row(section, 'rows parked', parked, undefined, { op: '==', value: 0 });
    row(section, 'CPU cores busy (service = the relay)', describeCpu(cpuShare));
  } finally {
    await consumer.stop();
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

    // 1 at the other costs, each on a service of its own.
    if (want('logins')) {
      for (const cost of cfg.costs.slice(1)) {
        await phase(`logins at cost ${cost}`, async () => {
          const service = await bootService(`service-cost${cost}`, cost);
          try {
            row('6. Footprint', `start-up, spawn → /health/ready 200 (BCRYPT_COST ${cost})`, service.startupMs, 'ms');
            await seedLoginUsers(cost);
            await measureLogins(service, cost);
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
      row('6. Footprint', `start-up, spawn → /health/ready 200 (BCRYPT_COST ${primaryCost})`, service.startupMs, 'ms');
      raw.readiness = service.readiness;
      await sleep(smoke ? 500 : 2000);
      const idle = rssOf(service.pid);
      if (idle !== undefined)
        row('6. Footprint', 'RSS at idle (after start-up), largest process (one worker)', round(idle / 2 ** 20, 1), 'MiB');

      progress(`seeding ${cfg.baseUsers} users, an admin and ${cfg.loginUsers} login users ...`);
      const userIds = await insertUsers(db, { from: 1, to: cfg.baseUsers, hash: await hashFor(primaryCost) });
      await insertUser(db, 'bench-admin', await hashFor(primaryCost), 'admin');
      await seedLoginUsers(primaryCost);

      const s = service;
      if (want('logins')) await phase(`logins at cost ${primaryCost}`, () => measureLogins(s, primaryCost));
      if (want('reads')) await phase('reads', () => measureReads(s));
      else if (want('footprint')) await phase('footprint under load', () => measureFootprintLoad(s));
      if (want('isolation')) await phase('isolation', () => measureIsolation(s));
      if (want('events')) await phase('event latency', () => measureEventLatency(s, userIds));
      if (want('tokens')) {
        const bench = { durationS: cfg.durationS, warmS: cfg.warmS, connections: cfg.readConnections, row, raw };
        await phase('tokens', async () => measureTokens(s, { ...bench, cookie: await loginCookie(s.base, username(2)) }));
      }
      if (want('growth')) await phase('growth', () => measureGrowth(s, userIds));

      // Let the in-process relay finish before it stops, so the backlog starts from an empty queue.
      const deadline = Date.now() + 60_000;
      while ((await pendingOutbox(db)) > 0 && Date.now() < deadline) await sleep(200);
      const code = await service.stop();
      if (code !== 0) errors.push({ phase: 'service', message: `the service exited ${code} on SIGTERM:\n${service.tail()}` });
    }

    if (want('backlog')) {
      await phase('backlog', async () => {
        await measureBacklog();
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
  // A smoke run's tiny numbers go elsewhere: bench/results/latest.md is the full run the README cites.
  const files = writeReport(join(ROOT, 'bench', 'results', ...(smoke ? ['smoke'] : [])), report);
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
