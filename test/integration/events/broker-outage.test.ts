import { expect } from 'chai';
import {
  consume,
  createAdmin,
  eventsSuite,
  expectPerUserOrder,
  freshTopic,
  liveALittle,
  logIn,
  outboxRows,
  register,
  sleep,
  untilIds,
  waitFor,
  wiredRelay,
  type Wired,
} from './helpers.js';

describe('the relay through a broker outage', function () {
  this.timeout(120_000);
  const suite = eventsSuite();

  beforeEach(function () {
    if (!suite.kafka.outage) this.skip(); // a real broker given by the environment cannot be taken down from here
  });

  /** Takes the broker down until `up()` or the end of the test. */
  async function brokerDown(): Promise<{ up(): Promise<void> }> {
    let down = true;
    const up = async () => {
      if (down) await suite.kafka.outage!.up();
      down = false;
    };
    await suite.kafka.outage!.down();
    suite.defer(up); // deferred last, so it runs first: the relay is stopped with the broker back
    return { up };
  }

  /** A started relay whose producer is connected: it has published a first event. */
  async function publishingRelay(topic: string): Promise<Wired> {
    const wired = wiredRelay(suite, topic);
    wired.relay.start();
    await createAdmin(wired.container);
    await waitFor('a first event published', () => wired.relay.status().published >= 1);
    return wired;
  }

  const pendingRows = async () => (await outboxRows(suite.db)).filter((r) => r.publishedAt === null);

  it('publishes every event once the broker is back, per user in seq order, none lost', async () => {
    const topic = await freshTopic(suite.kafka, 'outage');
    const { app, container, relay } = await publishingRelay(topic);
    const adminSession = await logIn(app, await createAdmin(container));
    await waitFor('the events before the outage published', async () => (await pendingRows()).length === 0);

    const outage = await brokerDown();
    const users = [];
    for (let i = 0; i < 10; i += 1) users.push(await register(app));
    // kafkajs retries its connection for 15-25 s before the relay hears of it (the next test says why that is wrong).
    await waitFor(
      "the state 'broker-down'",
      () => relay.status().state === 'broker-down',
      60_000,
      () => relay.status(),
    );
    for (const [round, user] of users.entries()) await liveALittle(app, adminSession, user, round);
    expect(relay.status().state).to.equal('broker-down');
    expect(await pendingRows(), 'every change of the ten users waits in the outbox').to.have.length(10 * 5);

    await outage.up();
    const consumer = await consume(suite, topic);
    const rows = await outboxRows(suite.db);
    await untilIds(
      consumer,
      rows.map((r) => r.id),
      1,
      45_000,
    );
    expectPerUserOrder(consumer.received, rows);
    await waitFor('every row marked published', async () => (await pendingRows()).length === 0);
    // The state follows the batch that marked the last rows: on a loaded machine it may come a moment later.
    await waitFor(
      "the state 'publishing'",
      () => relay.status().state === 'publishing',
      10_000,
      () => relay.status(),
    );
  });

  // The publisher means to "fail fast to the relay" (retries: 2, at most 1 s apart), but that retry setting
  // reaches only kafkajs's send, not the client's connection retries (5, up to 30 s apart), which are the defaults.
  it("says 'broker-down' within 5 s of the broker going away", async () => {
    const topic = await freshTopic(suite.kafka, 'outage-status');
    const { app, relay } = await publishingRelay(topic);
    await brokerDown();
    await register(app);
    await waitFor(
      "the state 'broker-down'",
      () => relay.status().state === 'broker-down',
      5_000,
      () => relay.status(),
    );
  });

  it('reports the pending count and the age of the oldest pending event while the broker is down', async () => {
    const topic = await freshTopic(suite.kafka, 'outage-lag');
    const { app, relay } = await publishingRelay(topic);
    await waitFor('the first event published', async () => (await pendingRows()).length === 0);

    const outage = await brokerDown();
    const beforeFirst = Date.now();
    await register(app);
    const afterFirst = Date.now();
    await register(app);
    await register(app);
    await sleep(300);
    const beforeHousekeeping = Date.now();
    await relay.housekeeping();
    const afterHousekeeping = Date.now();

    const lag = relay.status();
    expect(lag.pending).to.equal(3);
    expect(lag.oldestAgeMs)
      .to.be.a('number')
      .within(beforeHousekeeping - afterFirst, afterHousekeeping - beforeFirst);
    expect(await pendingRows(), 'nothing published during the outage').to.have.length(3);

    await outage.up();
    await waitFor('the backlog published', async () => (await pendingRows()).length === 0, 45_000);
    await relay.housekeeping();
    expect(relay.status()).to.include({ pending: 0, oldestAgeMs: null });
  });
});
