import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { migrationSource } from '../../../src/adapters/persistence/migrations/index.js';
import { unmigratedLike } from '../../support/test-database.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';
import { opsSuite, register, sleep, unpublishedCount, unreachableDb, waitFor, wired, withRunningRelay } from './helpers.js';

const ready = (app: Koa) => request(app.callback()).get('/health/ready');

/** /health/ready must answer 503 (never 500, never late) when the database does not. */
async function expectNotReadyInTime(db: Knex): Promise<void> {
  const { app } = wired(db);
  const started = Date.now();
  const res = await ready(app);
  expect(Date.now() - started, 'answered within ~3 s').to.be.lessThan(3_000);
  expect(res.status, JSON.stringify(res.body)).to.equal(503);
  expect(res.body).to.include({ status: 'not-ready', database: 'down' });
}

describe('health endpoints', function () {
  const suite = opsSuite();

  it('GET /health/live answers 200', async () => {
    const res = await request(wired(suite.db).app.callback()).get('/health/live').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('GET /health/ready is 200 with the database up, migrations applied, no relay, and the outbox lag', async () => {
    const { app } = wired(suite.db);
    await register(app);
    await register(app);
    const res = await ready(app).expect(200);
    expect(res.body).to.deep.include({ status: 'ready', shuttingDown: false, database: 'up', migrations: 'applied' });
    expect(res.body.relay).to.deep.equal({ state: 'disabled' });
    expect(res.body.outbox.pending)
      .to.equal(await unpublishedCount(suite.db))
      .and.be.at.least(2);
    expect(res.body.outbox.oldestAgeMs).to.be.a('number').and.at.least(0);
  });

  it("reports the relay as 'external' when a broker is configured but the relay runs elsewhere", async () => {
    const { app } = wired(suite.db, { KAFKA_BROKERS: '127.0.0.1:1' });
    const res = await ready(app).expect(200);
    expect(res.body.relay).to.deep.equal({ state: 'external' });
  });

  it('is 503 while the service is shutting down, and /health/live stays 200', async () => {
    let shuttingDown = false;
    const { app } = wired(suite.db, {}, { shuttingDown: () => shuttingDown });
    await ready(app).expect(200);
    shuttingDown = true;
    const res = await ready(app).expect(503);
    expect(res.body).to.include({ status: 'not-ready', shuttingDown: true, database: 'up' });
    await request(app.callback()).get('/health/live').expect(200);
  });

  it('is 503 within ~3 s, not 500, when the database refuses connections', async () => {
    const db = unreachableDb('mysql://root@127.0.0.1:1/x');
    suite.defer(() => db.destroy());
    await expectNotReadyInTime(db);
  });

  it('is 503 within ~3 s, not 500, when the database accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    suite.defer(() => new Promise((resolve) => silent.close(resolve)));
    suite.defer(() => sockets.forEach((s) => s.destroy()));
    const port = (silent.address() as { port: number }).port;
    const db = unreachableDb(`mysql://root@127.0.0.1:${port}/x`);
    suite.defer(() => db.destroy());
    await expectNotReadyInTime(db);
  });

  it('is 503 while a migration is pending, and 200 once all are applied', async () => {
    const { db, dispose } = await unmigratedLike(suite.db);
    suite.defer(dispose);
    const { app } = wired(db);

    const empty = await ready(app).expect(503);
    expect(empty.body).to.include({ status: 'not-ready', database: 'up' });
    expect(empty.body.migrations).not.to.equal('applied');
    await db.migrate.up();
    const total = (await migrationSource.getMigrations([])).length;
    const partly = await ready(app).expect(503);
    expect(partly.body.migrations).to.equal(`${total - 1} pending`);
    await db.migrate.latest();
    expect((await ready(app).expect(200)).body.migrations).to.equal('applied');
  });
});

describe('health endpoints with an in-process relay', function () {
  const suite = opsSuite();
  let kafka: TestKafka;

  before(async function () {
    kafka = await kafkaFor(this);
  });
  after(async () => kafka?.dispose());

  it("reports 'connected' with a running relay that publishes, and the outbox drains", async () => {
    const topic = `ops-health-${randomBytes(4).toString('hex')}`;
    await kafka.createTopic(topic, 1);
    const { app } = withRunningRelay(suite, { ...kafka.env, KAFKA_TOPIC: topic });
    await register(app);
    await waitFor('the outbox to drain', async () => (await unpublishedCount(suite.db)) === 0);
    const res = await ready(app).expect(200);
    expect(res.body.relay.state).to.equal('connected');
    expect(res.body.outbox).to.deep.equal({ pending: 0, oldestAgeMs: null });
  });

  it("does not report 'connected' for a relay whose broker it never reached", async () => {
    // Nothing to send: the relay has no reason to call the broker, so it must not claim to be connected to it.
    await suite.db('outbox').whereNull('publishedAt').update({ publishedAt: new Date() });
    const { app } = withRunningRelay(suite, { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TOPIC: 'nowhere' });
    const states = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      states.add((await ready(app)).body.relay.state as string);
      await sleep(50);
    }
    expect([...states], 'relay states seen over 1 s, broker unreachable').not.to.include('connected');
  });
});
