import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { createLogger, type Logger } from '../../../src/adapters/logging/logger.js';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { OutboxRelay } from '../../../src/application/outbox/relay-outbox.js';
import { buildContainer } from '../../../src/config/container.js';
import type { Env } from '../../../src/config/env.js';
import { wireApp, type Runtime } from '../../../src/config/api.js';
import { testEnv } from '../../support/test-app.js';
import { databaseSuite } from '../../support/database-suite.js';
import { spawnProcess, type SpawnedProcess } from '../../support/spawn-process.js';

export const PASSWORD = 'correct horse battery';
export const SESSION_KEYS = ['a test session secret that is long enough'];

export interface OpsSuite {
  db: Knex;
  /** Runs `fn` after the current test, last registered first: relays, consumers, databases. */
  defer(fn: () => unknown): void;
}

/**
 * One fresh migrated database per file (the run's own: MySQL when TEST_DATABASE_URL is set, else the embedded
 * SQLite default), and per-test clean-up. Call inside `describe`.
 */
export function opsSuite(): OpsSuite {
  const pending: Array<() => unknown> = [];
  const suite = Object.assign(databaseSuite(), { defer: (fn: () => unknown) => void pending.push(fn) });
  afterEach(async function () {
    this.timeout(60_000);
    for (const fn of pending.splice(0).reverse()) await fn();
  });
  return suite;
}

export interface Wired {
  app: Koa;
  container: Container;
  env: Env;
}

/**
 * The production wiring (buildContainer + wireApp) over `db`, as startService does it, with the runtime (relay,
 * shutting down) a test chooses and, optionally, its own logger.
 */
export function wired(db: Knex, overrides: Record<string, string> = {}, runtime: Runtime = {}, log?: Logger): Wired {
  const env = testEnv(overrides);
  const logger = log ?? createLogger(env.logLevel);
  const container = buildContainer(env, db, logger);
  return { app: wireApp(env, container, logger, SESSION_KEYS, runtime), container, env };
}

/**
 * The wiring startService makes when it runs the relay itself: one container, its relay started and handed to
 * wireApp. No DATABASE_URL, so the relay's lock is in process and never meets other suites' relays on the server.
 */
export function withRunningRelay(suite: OpsSuite, kafkaEnv: Record<string, string>): Wired & { relay: OutboxRelay } {
  const env = testEnv({ OUTBOX_POLL_INTERVAL_MS: '50', ...kafkaEnv });
  const log = createLogger(env.logLevel);
  const container = buildContainer(env, suite.db, log);
  const relay = container.get(OutboxRelay);
  relay.start();
  suite.defer(() => relay.stop());
  return { app: wireApp(env, container, log, SESSION_KEYS, { relay }), container, env, relay };
}

/** A logger whose JSON lines land in `lines`. */
export function capturingLogger(level = 'info'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger(level, sink), lines };
}

/** createDb on a database that is down: knex's own "Acquire connection error" warnings are expected, so muted. */
export function unreachableDb(url: string): Knex {
  const db = createDb({ kind: 'mysql', url });
  (db.client as { logger: { _warn?: (message: string) => void } }).logger._warn = () => undefined;
  return db;
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function register(app: Koa, username = uniqueName(), password = PASSWORD): Promise<{ id: string; username: string }> {
  const res = await request(app.callback()).post('/users').send({ username, password }).expect(201);
  return { id: res.body.id as string, username };
}

// ---- Prometheus text format ----

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the exposition format; throws on a line that is neither a comment nor a sample. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` with `labels`, or undefined when there is none. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesOf(samples, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

export async function scrape(app: Koa): Promise<{ text: string; samples: Sample[]; contentType: string }> {
  const res = await request(app.callback()).get('/metrics').expect(200);
  return { text: res.text, samples: parseMetrics(res.text), contentType: String(res.headers['content-type']) };
}

/** Outbox rows neither published nor parked: what the relay still has to send. */
export async function unpublishedCount(db: Knex): Promise<number> {
  const [row] = await db('outbox').whereNull('publishedAt').whereNull('parkedAt').count({ n: '*' });
  return Number(row?.n);
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- The real entry point in a child process ----

export type { LogLine } from '../../support/spawn-process.js';
export type ServiceProcess = SpawnedProcess;

/** `node --import tsx src/config/main.ts` (as `npm start` runs it, from the sources), its JSON log lines collected. */
export function startServiceProcess(env: Record<string, string>, entry = 'src/config/main.ts'): ServiceProcess {
  // One process unless asked: these tests watch one process's behaviour (the cluster has its own tests).
  return spawnProcess(entry, { WEB_CONCURRENCY: '1', ...env });
}
