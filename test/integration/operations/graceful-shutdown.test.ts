import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { OutboxRelay } from '../../../src/application/outbox/relay-outbox.js';
import { buildContainer } from '../../../src/config/container.js';
import { testEnv } from '../../support/test-app.js';
import { collect } from '../../support/test-consumer.js';
import { migratedMySql, type TestMySql } from '../../support/test-database.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';
import { PASSWORD, sleep, startServiceProcess, uniqueName, unpublishedCount, waitFor, type ServiceProcess } from './helpers.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const LOOPS = 6;

/** One HTTP request of the load, as the client saw it (times from performance.now()). */
interface Outcome {
  reqId: string;
  kind: 'register' | 'login' | 'ready';
  username?: string;
  startedAt: number;
  headersAt?: number;
  endedAt?: number;
  status?: number;
  error?: string;
}

/** Sends one request with its own X-Request-Id, which the service logs: the log says which requests it handled. */
async function send(outcomes: Outcome[], o: Omit<Outcome, 'reqId' | 'startedAt'>, url: string, body?: unknown): Promise<Outcome> {
  const outcome: Outcome = { ...o, reqId: `load-${randomUUID()}`, startedAt: performance.now() };
  outcomes.push(outcome);
  try {
    const headers = { 'content-type': 'application/json', 'x-request-id': outcome.reqId };
    const init = body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) };
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    outcome.headersAt = performance.now();
    outcome.status = res.status;
    await res.arrayBuffer();
    outcome.endedAt = performance.now();
  } catch (err) {
    outcome.error = `${(err as Error).message} ${String((err as { cause?: { code?: string } }).cause?.code ?? '')}`;
  }
  return outcome;
}

/** LOOPS clients, each registering a user then logging in, back to back on keep-alive connections; a readiness poller. */
function startLoad(base: string): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const client = async () => {
    while (!stopped) {
      const username = uniqueName('load');
      const created = await send(outcomes, { kind: 'register', username }, `${base}/users`, { username, password: PASSWORD });
      if (created.status === 201) await send(outcomes, { kind: 'login', username }, `${base}/login`, { username, password: PASSWORD });
      if (created.error) await sleep(20); // refused: the listener is closed; keep trying until the process is gone
    }
  };
  const poller = async () => {
    while (!stopped) {
      await send(outcomes, { kind: 'ready' }, `${base}/health/ready`);
      await sleep(25);
    }
  };
  const running = [...Array.from({ length: LOOPS }, client), poller()];
  return {
    outcomes,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

describe('graceful shutdown of the real process under load', function () {
  this.timeout(120_000);
  let kafka: TestKafka, db: Knex, mysql: TestMySql, topic: string;
  let service: ServiceProcess;
  let outcomes: Outcome[];
  let sigtermAt: number, exitedAt: number, exitCode: number | null | 'still running';
  const cleanups: Array<() => unknown> = [];

  before(async function () {
    kafka = await kafkaFor(this);
    ({ db, mysql } = await migratedMySql(this));
    topic = `ops-shutdown-${randomBytes(4).toString('hex')}`;
    await kafka.createTopic(topic, 3);
    // At debug, the readiness probes' request lines are logged too, so "handled" below covers every request.
    service = startServiceProcess({
      DATABASE_URL: mysql.url,
      ...kafka.env,
      KAFKA_TOPIC: topic,
      OUTBOX_POLL_INTERVAL_MS: '100',
      PORT: '0',
      HOST: '127.0.0.1',
      BCRYPT_COST: '4',
      LOGIN_LIMITS_ACCOUNT: '1000/60',
      LOGIN_LIMITS_CLIENT: '1000000/60',
      REGISTER_LIMITS_CLIENT: '1000000/60',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    });
    cleanups.push(() => service.child.exitCode === null && service.child.kill('SIGKILL'));
    const listening = await service.until((l) => l.msg === 'listening');
    const load = startLoad(`http://127.0.0.1:${(listening.address as { port: number }).port}`);
    cleanups.push(() => load.stop());
    await waitFor('steady load', () => load.outcomes.filter((o) => o.kind !== 'ready' && o.status === 201).length >= 50, 30_000);

    sigtermAt = performance.now();
    service.child.kill('SIGTERM');
    exitCode = await Promise.race([service.exited, sleep(SHUTDOWN_TIMEOUT_MS + 15_000).then(() => 'still running' as const)]);
    exitedAt = performance.now();
    await load.stop();
    outcomes = load.outcomes;
  });

  after(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
    await db?.destroy();
    await mysql?.dispose();
    await kafka?.dispose();
  });

  const handled = () => new Set(service.lines.filter((l) => l.msg === 'request').map((l) => l.reqId as string));
  const inFlightAtSigterm = () =>
    outcomes.filter((o) => o.kind !== 'ready' && o.startedAt < sigtermAt && (o.endedAt ?? Infinity) > sigtermAt);

  it('was under load when SIGTERM came: requests were in flight', () => {
    expect(inFlightAtSigterm().length, 'state-changing requests in flight at SIGTERM').to.be.greaterThan(0);
  });

  it('exits 0, soon, without cutting connections at the shutdown timeout', () => {
    expect(exitCode, service.stderr()).to.equal(0);
    const cut = service.lines.find((l) => /still in flight at the shutdown timeout/.test(l.msg));
    const seconds = ((exitedAt - sigtermAt) / 1000).toFixed(1);
    expect(
      cut,
      `exited ${seconds} s after SIGTERM; requests were still being served on kept-alive connections when the timeout cut them`,
    ).to.equal(undefined);
    expect(service.lines.map((l) => l.msg)).to.include('stopped');
  });

  it('completes every request it answered, none with a 5xx', () => {
    const answered = outcomes.filter((o) => o.headersAt !== undefined);
    expect(answered.length).to.be.greaterThan(100);
    // /health/ready answers 503 on purpose while shutting down; everything else must not.
    const broken = answered.filter((o) => o.endedAt === undefined || (o.kind !== 'ready' && o.status! >= 500));
    expect(
      broken.map((o) => `${o.kind} ${o.status ?? ''} ${o.error ?? ''}`),
      'answered, then failed or 5xx',
    ).to.deep.equal([]);
  });

  it('fails no request it accepted: a connection error only for a request the service never handled', () => {
    const failed = outcomes.filter((o) => o.headersAt === undefined);
    const accepted = handled();
    const lost = failed.filter((o) => accepted.has(o.reqId));
    const early = failed.filter((o) => o.startedAt < sigtermAt);
    const report = `${failed.length} connection errors, ${early.length} for requests started before SIGTERM`;
    expect(
      lost.map((o) => `${o.kind} ${o.username ?? ''}: ${o.error}`),
      `handled by the service, yet the client got no answer (${report})`,
    ).to.deep.equal([]);
  });

  it('turns /health/ready to 503 during the shutdown window, whenever it answers', () => {
    const after = outcomes.filter((o) => o.kind === 'ready' && o.startedAt > sigtermAt + 50 && o.status !== undefined);
    expect(
      after.filter((o) => o.status !== 503).map((o) => o.status),
      `${after.length} readiness answers after SIGTERM`,
    ).to.deep.equal([]);
  });

  it('keeps exactly the users it answered 201 for', async () => {
    const created = outcomes.filter((o) => o.kind === 'register' && o.status === 201).map((o) => o.username!);
    const stored = (await db('users').where('username', 'like', 'load-%').select('username')).map((r: { username: string }) => r.username);
    expect(
      stored.filter((u) => !created.includes(u)),
      'stored though the client heard no 201',
    ).to.deep.equal([]);
    expect(
      created.filter((u) => !stored.includes(u)),
      'answered 201 but not stored',
    ).to.deep.equal([]);
  });

  it('loses no event: every outbox row reaches Kafka, once a relay runs again', async () => {
    const rows = await db('outbox').select<Array<{ id: string; publishedAt: Date | null }>>('id', 'publishedAt');
    expect(rows.length).to.be.at.least(outcomes.filter((o) => o.kind === 'register' && o.status === 201).length);
    const env = testEnv({ ...kafka.env, KAFKA_TOPIC: topic, OUTBOX_POLL_INTERVAL_MS: '50' });
    const relay = buildContainer(env, db, createLogger(env.logLevel)).get(OutboxRelay); // lock in process: this database only
    const consumer = await collect(kafka.brokers, topic);
    cleanups.push(() => consumer.stop());
    relay.start();
    cleanups.push(() => relay.stop());
    await waitFor('the outbox to drain', async () => (await unpublishedCount(db)) === 0, 30_000);
    const ids = rows.map((r) => r.id);
    await consumer
      .until((received) => {
        const seen = new Set(received.map((r) => r.event.id));
        return ids.every((id) => seen.has(id));
      }, 30_000)
      .catch(() => undefined);
    const seen = new Set(consumer.received.map((r) => r.event.id));
    expect(
      ids.filter((id) => !seen.has(id)),
      `outbox rows never consumed (${rows.filter((r) => r.publishedAt).length} published before the restart)`,
    ).to.deep.equal([]);
  });
});
