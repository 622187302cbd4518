import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { Clock, type LogSink } from '../../../src/application/ports.js';
import { KeyRingLog } from '../../../src/application/tokens/key-ring.js';
import { buildContainer } from '../../../src/config/container.js';
import type { Env } from '../../../src/config/env.js';
import { wireApp } from '../../../src/config/api.js';
import { FixedClock } from '../../fakes.js';
import { testEnv } from '../../support/test-app.js';
import { databaseSuite, EACH_DATABASE } from '../../support/database-suite.js';
import { credentials, type Account } from '../http/helpers.js';

export const KEY_SECRET = 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT';

export interface DbSuite {
  db: Knex;
  kind: 'MySQL' | 'SQLite';
}

/** Runs the same suite on a fresh MySQL database and on a fresh embedded SQLite file. */
export function onBothDatabases(title: string, body: (suite: DbSuite) => void): void {
  for (const [kind, open] of EACH_DATABASE) {
    describe(`${title} on ${kind}`, function () {
      body(Object.assign(databaseSuite(open), { kind: kind as DbSuite['kind'] }));
    });
  }
}

/** Warnings and infos the key ring wrote. */
export class CapturedLog implements LogSink {
  readonly lines: Array<{ level: string; obj: object; msg: string }> = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

export interface TokenApp {
  app: Koa;
  container: Container;
  clock: FixedClock;
  log: CapturedLog;
}

/**
 * One instance of the service (its own container, so its own key ring) on the suite's database, with a clock
 * the test moves. Several of them on one database are several instances of the service.
 */
export function instance(db: Knex, options: { env?: Record<string, string>; clock?: FixedClock } = {}): TokenApp {
  const env: Env = testEnv({ TOKEN_KEY_SECRET: KEY_SECRET, ...options.env });
  const log = createLogger(env.logLevel);
  const container = buildContainer(env, db, log);
  const clock = options.clock ?? new FixedClock(new Date());
  const captured = new CapturedLog();
  container.rebind<Clock>(Clock).toConstantValue(clock);
  container.rebind(KeyRingLog).toConstantValue(captured);
  return { app: wireApp(env, container, log, ['a test session secret that is long enough']), container, clock, log: captured };
}

/** Logs in with `"session": "token"` and returns the session token. */
export async function tokenLogin(app: Koa, account: Pick<Account, 'username' | 'password'>, userAgent = 'test-cli/1.0'): Promise<string> {
  const res = await request(app.callback())
    .post('/login')
    .set('User-Agent', userAgent)
    .send({ ...credentials(account), session: 'token' })
    .expect(200);
  return res.body.sessionToken as string;
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** The JSON of a JWT's header and payload, unverified. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

/** The user.sessions_ended payloads written for a user, in commit order. */
export async function sessionsEndedEvents(db: Knex, userId: string): Promise<Array<Record<string, unknown>>> {
  const rows = await db('outbox').where({ aggregateid: userId, type: 'user.sessions_ended' }).orderBy('seq').select('payload');
  return rows.map((r: { payload: string | object }) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
}
