import { createHash, createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import type { Env } from '../../../src/config/env.js';
import { testApp } from '../../support/test-app.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onRunDatabase, type OpenDb } from '../../support/test-database.js';

export const COOKIE = 'authsvc.sid';
/** The secret test/support/test-app.ts signs cookies with: lets a test forge a validly signed cookie. */
const TEST_SESSION_SECRET = 'a test session secret that is long enough';
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const PASSWORD = 'correct horse battery';

export interface HttpSuite {
  db: Knex;
  app: Koa;
  container: Container;
  /** The production wiring again on this suite's database, e.g. with other settings. */
  appWith(env: Env): Koa;
}

/**
 * One fresh migrated database per file, and the production app over it. Call inside `describe`. The database is
 * the run's own (MySQL when TEST_DATABASE_URL is set, else the embedded SQLite default) unless `open` says
 * otherwise, e.g. `onMySqlOnly(why)` for what only MySQL has.
 */
export function httpSuite(open: OpenDb = onRunDatabase): HttpSuite {
  const suite = databaseSuite(open, (db) => {
    Object.assign(suite, testApp(db));
    suite.appWith = (env: Env) => testApp(db, env).app;
  }) as HttpSuite;
  return suite;
}

/** A username no other test uses: `prefix` plus random hex, within the 64-character limit. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface Account {
  id: string;
  username: string;
  password: string;
}

/** Registers a plain user anonymously, over HTTP. */
export async function register(app: Koa, username = uniqueName(), password = PASSWORD): Promise<Account> {
  const res = await request(app.callback()).post('/users').send({ username, password }).expect(201);
  return { id: res.body.id, username, password };
}

/** An admin made the way the service makes its start-up admin: CreateUser with the creator 'system'. */
export async function createAdmin(suite: HttpSuite, username = uniqueName('admin'), password = PASSWORD): Promise<Account> {
  const view = await suite.container.get(CreateUser).execute({ username, password, role: 'admin' }, 'system');
  return { id: view.id, username, password };
}

/** A client of its own (its own cookie jar) logged in as `account`. */
export async function logIn(app: Koa, account: Pick<Account, 'username' | 'password'>): Promise<request.Agent> {
  const agent = request.agent(app.callback());
  await agent.post('/login').send(credentials(account)).expect(200);
  return agent;
}

/** The Set-Cookie lines of a response, whatever shape the header came in. */
export function setCookies(res: request.Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** The Set-Cookie line of the named cookie with a non-empty value, or undefined. */
export function setCookieLine(res: request.Response, name = COOKIE): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`) && !line.startsWith(`${name}=;`));
}

export function cookieValue(res: request.Response, name = COOKIE): string | undefined {
  const line = setCookieLine(res, name);
  return line?.slice(name.length + 1).split(';')[0];
}

/** The session cookie and its signature, as a Cookie request header, taken from a login response. */
export function sessionCookieHeader(res: request.Response): string {
  const value = cookieValue(res);
  const sig = cookieValue(res, `${COOKIE}.sig`);
  expect(value, 'session cookie').to.be.a('string');
  expect(sig, 'session cookie signature').to.be.a('string');
  return `${COOKIE}=${value}; ${COOKIE}.sig=${sig}`;
}

/** Logs in with a plain (cookie-less) client and returns the session cookie it was given, to replay by hand. */
export async function sessionOf(app: Koa, account: Pick<Account, 'username' | 'password'>): Promise<string> {
  const res = await request(app.callback()).post('/login').send(credentials(account)).expect(200);
  return sessionCookieHeader(res);
}

/** GET /users/me with a hand-made Cookie header. */
export function whoAmI(app: Koa, cookie: string): request.Test {
  return request(app.callback()).get('/users/me').set('Cookie', cookie);
}

/** The signature the cookies library would give `name=value` under the test secret (keygrip: HMAC-SHA1, base64url). */
export function signCookie(name: string, value: string): string {
  return createHmac('sha1', TEST_SESSION_SECRET).update(`${name}=${value}`).digest('base64url');
}

/** What the sessions table uses as the row id for a cookie value. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Asserts an RFC 9457 problem with every field of our contract, and returns its body. */
export function expectProblem(res: request.Response, status: number, code?: string): Record<string, unknown> {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/problem\+json\b/);
  const body = res.body as Record<string, unknown>;
  expect(body).to.include.all.keys('type', 'title', 'status', 'detail', 'code');
  expect(body.type).to.be.a('string').that.is.not.empty;
  expect(body.title).to.be.a('string').that.is.not.empty;
  expect(body.detail).to.be.a('string').that.is.not.empty;
  expect(body.code)
    .to.be.a('string')
    .that.matches(/^[a-z]+(-[a-z]+)*$/);
  expect(body.status).to.equal(status);
  if (code !== undefined) expect(body.code).to.equal(code);
  return body;
}

/** Asserts a 400 whose `errors` name `field`. */
export function expectInvalidField(res: request.Response, field: string, status = 400): void {
  const body = expectProblem(res, status);
  const errors = body.errors as { field: string; reason: string }[] | undefined;
  expect(errors, 'errors').to.be.an('array').that.is.not.empty;
  for (const issue of errors!) expect(issue).to.have.all.keys('field', 'reason');
  expect(errors!.map((e) => e.field)).to.include(field);
}

/** The outbox event types about one user, in commit order. */
export async function outboxTypes(db: Knex, userId: string): Promise<string[]> {
  const rows = await db('outbox').where({ aggregateid: userId }).orderBy('seq').select('type');
  return rows.map((r: { type: string }) => r.type);
}

export async function outboxCount(db: Knex): Promise<number> {
  const [row] = await db('outbox').count({ n: '*' });
  return Number(row?.n);
}

/** The login body for an account: exactly the two fields the endpoint accepts. */
export function credentials(account: Pick<Account, 'username' | 'password'>): { username: string; password: string } {
  return { username: account.username, password: account.password };
}
