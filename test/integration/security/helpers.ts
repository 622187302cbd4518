import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { buildContainer } from '../../../src/config/container.js';
import { wireApp } from '../../../src/config/api.js';
import { spawnProcess, type SpawnedProcess } from '../../support/spawn-process.js';
import { testEnv } from '../../support/test-app.js';
import { isMySql } from '../../support/test-database.js';

/** The secret test/support/test-app.ts signs with: an app built here accepts the cookies of testApp's apps. */
const TEST_SESSION_SECRET = 'a test session secret that is long enough';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How many responses had each status, e.g. `{ 401: 5, 429: 25 }`. */
export function statusCounts(responses: request.Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
}

/** A login attempt as a plain client; `forwardedFor` sets X-Forwarded-For (honoured only with TRUST_PROXY). */
export function attempt(app: Koa, username: string, password: string, forwardedFor?: string): request.Test {
  const test = request(app.callback()).post('/login').send({ username, password });
  return forwardedFor === undefined ? test : test.set('X-Forwarded-For', forwardedFor);
}

/** Asserts a 429 from the login throttle with a Retry-After in whole seconds, and returns that number. */
export function expectThrottled(res: request.Response): number {
  expect(res.status, JSON.stringify(res.body)).to.equal(429);
  expect(res.headers['content-type']).to.match(/^application\/problem\+json\b/);
  expect(res.body.code).to.equal('too-many-attempts');
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter, 'Retry-After').to.match(/^\d+$/);
  expect(Number(retryAfter)).to.be.at.least(1);
  return Number(retryAfter);
}

/**
 * Forgets every login attempt counted so far. The counters live in the suite's database and a client address
 * (127.0.0.1 under supertest) is shared by every test of a file: a test of the per-client limit starts clean.
 */
export async function forgetAttempts(db: Knex): Promise<void> {
  await db('rate_limits').delete();
  await db('login_throttle').delete();
}

/** The keys of the login throttle's rows, e.g. `account:ada` or `client:198.51.100.7`. */
export async function counterKeys(db: Knex): Promise<string[]> {
  return (await db('login_throttle').select('subject')).map((r: { subject: string }) => r.subject);
}

/** A second connection pool to the suite's database, as another instance of the service would have. */
export function anotherPool(db: Knex): Knex {
  if (!isMySql(db)) {
    // Another connection to the same file, as a second process on the same SQLite database would open.
    const { filename } = db.client.config.connection as { filename: string };
    return createDb({ kind: 'sqlite', file: filename });
  }
  const { host, port, user, password, database } = db.client.config.connection as Record<string, string | number>;
  const url = new URL(`mysql://${host}:${port}/${database}`);
  url.username = String(user ?? '');
  url.password = String(password ?? '');
  return createDb({ kind: 'mysql', url: url.toString() });
}

export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

export interface CapturedLogs {
  /** Everything written, exactly as it would reach stdout. */
  text(): string;
  lines(): LogLine[];
}

/**
 * The production wiring (buildContainer + wireApp, as test/support/test-app.ts does) with its pino logger
 * writing into memory instead of stdout. LOG_LEVEL is debug unless overridden.
 */
export function appWithCapturedLogs(
  db: Knex,
  overrides: Record<string, string> = {},
): { app: Koa; container: Container; logs: CapturedLogs } {
  let text = '';
  const env = testEnv({ LOG_LEVEL: 'debug', ...overrides });
  const log = createLogger(env.logLevel, { write: (chunk: string) => void (text += chunk) });
  const container = buildContainer(env, db, log);
  const logs: CapturedLogs = {
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as LogLine),
  };
  return { app: wireApp(env, container, log, [TEST_SESSION_SECRET]), container, logs };
}

/**
 * Makes the database refuse one kind of write for one user, as a deadlock, a lost connection or a full disk
 * would: a trigger that raises an error (on MySQL and on SQLite alike). Returns a function that removes it.
 */
export async function failWrites(
  db: Knex,
  options: { name: string; table: 'users' | 'sessions'; event: 'INSERT' | 'UPDATE' | 'DELETE'; userId: string },
): Promise<() => Promise<void>> {
  const { name, table, event, userId } = options;
  const row = event === 'DELETE' ? 'OLD' : 'NEW';
  const column = table === 'users' ? 'id' : 'user_id';
  if (isMySql(db)) {
    await db.raw(
      `CREATE TRIGGER \`${name}\` BEFORE ${event} ON \`${table}\` FOR EACH ROW BEGIN ` +
        `IF ${row}.\`${column}\` = ? THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END`,
      [userId],
    );
  } else {
    // SQLite takes no parameters in a trigger's body: the id is a quoted literal (a UUID the test was given).
    const id = `'${userId.replaceAll("'", "''")}'`;
    await db.raw(
      `CREATE TRIGGER "${name}" BEFORE ${event} ON "${table}" FOR EACH ROW WHEN ${row}."${column}" = ${id} ` +
        `BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
  }
  return async () => void (await db.raw(`DROP TRIGGER IF EXISTS ${isMySql(db) ? `\`${name}\`` : `"${name}"`}`));
}

export type ServiceProcess = SpawnedProcess;

/** Starts the real entry point from the sources, as `npm start` would, with only PATH and `env`. */
export function startProcess(env: Record<string, string>): ServiceProcess {
  // One process unless asked: these tests watch one process's behaviour (the cluster has its own tests).
  return spawnProcess('src/config/main.ts', { WEB_CONCURRENCY: '1', ...env });
}
