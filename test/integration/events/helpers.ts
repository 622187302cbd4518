import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { cloudEventSchema, CLOUDEVENTS_CONTENT_TYPE, type UserEventType } from '../../../src/adapters/messaging/event-contract.js';
import { toDate } from '../../../src/adapters/persistence/db.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { OutboxRelay } from '../../../src/application/outbox/relay-outbox.js';
import { testApp, testEnv } from '../../support/test-app.js';
import { collect, type Received } from '../../support/test-consumer.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, type TestMySql } from '../../support/test-database.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';

/** Random per run, so no password policy (common passwords, the username) refuses it by chance. */
export const PASSWORD = `pw ${randomBytes(6).toString('hex')} for events`;
export const EVENT_SOURCE = '/authsvc-events-test';

export interface EventsSuite {
  kafka: TestKafka;
  db: Knex;
  /** The database's URL, for a relay of its own (as a process would be given it). */
  mysql: Pick<TestMySql, 'url'>;
  /** Runs `fn` after the current test, last registered first: relays, consumers, child processes. */
  defer(fn: () => unknown): void;
}

/**
 * A broker (the run's shared one unless `brokers` says otherwise) and one fresh migrated MySQL database for the
 * file, and per-test clean-up. Each test starts with an empty outbox, so no relay of a later test publishes what
 * an earlier one left. Call inside `describe`.
 */
export function eventsSuite(brokers: (ctx: Mocha.Context) => Promise<TestKafka> = kafkaFor): EventsSuite {
  const suite = { defer: cleanups() } as EventsSuite;
  // The database first: a suite without MySQL is skipped before any broker starts.
  databaseSuite(onMySql, (db, url) => Object.assign(suite, { db, mysql: { url: url! } }));
  before(async function () {
    if (!suite.db) this.skip();
    suite.kafka = await brokers(this);
  });
  after(async () => suite.kafka?.dispose());
  beforeEach(() => suite.db('outbox').delete());
  return suite;
}

/** A stack of clean-ups run after each test, whether it passed or not; one that fails does not skip the others. */
export function cleanups(): (fn: () => unknown) => void {
  const pending: Array<() => unknown> = [];
  afterEach(async function () {
    this.timeout(60_000);
    const failures: unknown[] = [];
    for (const fn of pending.splice(0).reverse())
      await Promise.resolve()
        .then(fn)
        .catch((err: unknown) => failures.push(err));
    if (failures.length) throw failures[0];
  });
  return (fn) => void pending.push(fn);
}

/** A fresh topic of 3 partitions, its prefix saying which test wrote it. */
export async function freshTopic(kafka: TestKafka, prefix: string): Promise<string> {
  const topic = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kafka.createTopic(topic, 3);
  return topic;
}

export function relayEnv(kafka: TestKafka, topic: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...kafka.env,
    KAFKA_TOPIC: topic,
    KAFKA_EVENT_SOURCE: EVENT_SOURCE,
    OUTBOX_POLL_INTERVAL_MS: '100',
    ...overrides,
  };
}

export interface Wired {
  app: Koa;
  container: Container;
  relay: OutboxRelay;
}

/**
 * The production wiring with a relay to `topic` (not started; stopped after the test), on the suite's database
 * unless `database` says otherwise.
 */
export function wiredRelay(
  suite: EventsSuite,
  topic: string,
  overrides: Record<string, string> = {},
  database: { db: Knex; url: string } = { db: suite.db, url: suite.mysql.url },
): Wired {
  const env = testEnv(relayEnv(suite.kafka, topic, { DATABASE_URL: database.url, ...overrides }));
  const { app, container } = testApp(database.db, env);
  const relay = container.get(OutboxRelay);
  suite.defer(() => relay.stop());
  return { app, container, relay };
}

export type Consumer = Awaited<ReturnType<typeof collect>>;

/**
 * A real consumer of its own group reading `topic` from the beginning; stopped after the test. Joining the group
 * takes seconds: start it first and await it when its messages are wanted.
 */
export function consume(suite: Pick<EventsSuite, 'kafka' | 'defer'>, topic: string): Promise<Consumer> {
  const consumer = collect(suite.kafka.brokers, topic);
  suite.defer(() =>
    consumer.then(
      (c) => c.stop(),
      () => undefined,
    ),
  );
  return consumer;
}

/** Polls `check` until it holds; on time-out the error says what was awaited and, via `seen`, what there was instead. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  seen: () => unknown = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const instead = seen();
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${instead === undefined ? '' : `; got ${JSON.stringify(instead)}`}`,
      );
    }
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- The outbox table as the tests read it ----

export interface OutboxRow {
  seq: number;
  id: string;
  aggregateid: string;
  type: string;
  payload: unknown;
  createdAt: Date;
  publishedAt: Date | null;
  parkedAt: Date | null;
  lastError: string | null;
}

export async function outboxRows(db: Knex): Promise<OutboxRow[]> {
  const rows = await db('outbox').select('*').orderBy('seq');
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    createdAt: toDate(r.createdAt),
    publishedAt: r.publishedAt == null ? null : toDate(r.publishedAt),
    parkedAt: r.parkedAt == null ? null : toDate(r.parkedAt),
  }));
}

/**
 * Writes an outbox row by hand, as no use case would: a valid user.created for a new user unless `row` says
 * otherwise (another type, a payload that is not JSON or misses fields, a published or parked row).
 */
export async function insertOutboxRow(
  db: Knex,
  row: { type?: string; aggregateid?: string; payload?: string; publishedAt?: Date; parkedAt?: Date; lastError?: string } = {},
): Promise<{ id: string; aggregateid: string }> {
  const id = randomUUID();
  const aggregateid = row.aggregateid ?? randomUUID();
  const payload = JSON.stringify({ userId: aggregateid, username: uniqueName('hand'), role: 'user', createdBy: null, email: null });
  await db('outbox').insert({ id, aggregatetype: 'user', type: 'user.created', payload, createdAt: new Date(), ...row, aggregateid });
  return { id, aggregateid };
}

/** Waits until the consumer holds every id in `ids` (at least `times` times each); returns what it holds. */
export function untilIds(consumer: Consumer, ids: string[], times = 1, timeoutMs = 20_000): Promise<Received[]> {
  return consumer.until((received) => {
    const counts = countIds(received);
    return ids.every((id) => (counts.get(id) ?? 0) >= times);
  }, timeoutMs);
}

export function countIds(received: Received[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of received) counts.set(r.event.id, (counts.get(r.event.id) ?? 0) + 1);
  return counts;
}

/**
 * At-least-once, in order: after dropping repeats by event id, each user's messages are exactly that user's
 * outbox rows in seq order (none lost, none extra, none overtaken).
 */
export function expectPerUserOrder(received: Received[], rows: OutboxRow[]): void {
  const seen = new Set<string>();
  const got = new Map<string, string[]>();
  for (const { event } of received) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    got.set(event.subject, [...(got.get(event.subject) ?? []), event.id]);
  }
  const want = new Map<string, string[]>();
  for (const row of rows) want.set(row.aggregateid, [...(want.get(row.aggregateid) ?? []), row.id]);
  expect([...got.keys()].sort(), 'users with events').to.deep.equal([...want.keys()].sort());
  for (const [user, ids] of want) expect(got.get(user), `events of ${user} in seq order`).to.deep.equal(ids);
}

/** The CloudEvents contract of one message, against the outbox row it came from. */
export function expectCloudEvent(message: Received, row: OutboxRow): void {
  const { event } = message;
  expect(() => cloudEventSchema(row.type as UserEventType).parse(event), `${row.type} ${row.id}`).not.to.throw();
  expect(event.specversion).to.equal('1.0');
  expect(event.id).to.equal(row.id);
  expect(event.source).to.equal(EVENT_SOURCE);
  expect(event.type).to.equal(row.type);
  expect(event.subject).to.equal(row.aggregateid);
  expect(message.key, 'Kafka key').to.equal(row.aggregateid);
  expect(event.time).to.equal(row.createdAt.toISOString());
  expect(event.datacontenttype).to.equal('application/json');
  expect(event.data).to.deep.equal(typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload);
  expect(message.headers['content-type']).to.equal(CLOUDEVENTS_CONTENT_TYPE);
}

/** No secret appears anywhere in a message: key, headers or value. */
export function expectNoSecrets(received: Received[], secrets: string[]): void {
  expect(
    secrets.filter((s) => s.length < 8),
    'secrets too short to search for',
  ).to.be.empty;
  for (const message of received) {
    const text = JSON.stringify(message);
    expect(text).not.to.include('$2b$');
    for (const secret of secrets) expect(text, `message ${message.event.id}`).not.to.include(secret);
  }
}

// ---- Driving the use cases over HTTP ----

export interface Account {
  id: string;
  username: string;
  password: string;
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function register(app: Koa, username = uniqueName(), password = PASSWORD): Promise<Account> {
  const res = await request(app.callback()).post('/users').send({ username, password }).expect(201);
  return { id: res.body.id, username, password };
}

/** An admin made as the service makes its start-up admin (creator 'system'). */
export async function createAdmin(container: Container): Promise<Account> {
  const username = uniqueName('admin');
  const view = await container.get(CreateUser).execute({ username, password: PASSWORD, role: 'admin' }, 'system');
  return { id: view.id, username, password: PASSWORD };
}

export interface Session {
  agent: request.Agent;
  /** The session cookie's value and signature as the client holds them: secrets that must never be published. */
  cookieValues: string[];
}

export async function logIn(app: Koa, account: Account): Promise<Session> {
  const agent = request.agent(app.callback());
  const res = await agent.post('/login').send({ username: account.username, password: account.password }).expect(200);
  // The session cookie and its signature; the device cookie a login also sets is no secret of the session.
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((line) => line.startsWith('authsvc.sid'));
  const cookieValues = cookies.map((line) => line.split(';')[0]!.split('=').slice(1).join('=')).filter(Boolean);
  expect(cookieValues, 'session cookie and signature').to.have.length(2);
  return { agent, cookieValues };
}

/** The user changes its own password; `account` keeps the new one. */
export async function changeOwnPassword(session: Session, account: Account, newPassword: string): Promise<void> {
  await session.agent.put(`/users/${account.id}/password`).send({ currentPassword: account.password, newPassword }).expect(204);
  account.password = newPassword;
}

export async function changeRole(admin: Session, userId: string, role: 'user' | 'admin'): Promise<void> {
  await admin.agent.put(`/users/${userId}/role`).send({ role }).expect(200);
}

/** A user's life in a few events: logs in, changes its password, is promoted and demoted. */
export async function liveALittle(app: Koa, admin: Session, account: Account, round: number): Promise<void> {
  const session = await logIn(app, account);
  await changeOwnPassword(session, account, `${PASSWORD} ${round}`);
  await changeRole(admin, account.id, 'admin');
  await changeRole(admin, account.id, 'user');
}
