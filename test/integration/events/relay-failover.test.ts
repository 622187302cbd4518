import { expect } from 'chai';
import type Koa from 'koa';
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
  untilIds,
  waitFor,
  wiredRelay,
  type Account,
  type Session,
} from './helpers.js';

describe('two relays on one database', function () {
  this.timeout(60_000);
  const suite = eventsSuite();

  /** A few new users and a few changes to the old ones; their events are written over `app`. */
  async function churn(app: Koa, admin: Session, users: Account[], round: number): Promise<void> {
    for (const user of users) await liveALittle(app, admin, user, round);
    for (let i = 0; i < 3; i += 1) users.push(await register(app));
  }

  it('one publishes, the other stands by and takes over when it stops; per-user order holds, nothing is lost', async () => {
    const topic = await freshTopic(suite.kafka, 'failover');
    const joining = consume(suite, topic);
    const first = wiredRelay(suite, topic);
    const second = wiredRelay(suite, topic);
    first.relay.start();
    await waitFor(
      'the first relay to publish',
      () => first.relay.status().state === 'publishing',
      5_000,
      () => first.relay.status(),
    );
    second.relay.start();
    await waitFor(
      'the second relay to stand by',
      () => second.relay.status().state === 'standby',
      5_000,
      () => second.relay.status(),
    );

    const admin = await logIn(first.app, await createAdmin(first.container));
    const users: Account[] = [];
    await churn(first.app, admin, users, 0); // before
    await churn(first.app, admin, users, 1);
    await waitFor('the events so far published', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt !== null));
    expect(second.relay.status()).to.include({ state: 'standby', published: 0 });

    const stopped = Date.now();
    const during = churn(first.app, admin, users, 2); // while the first stops and the second takes over
    await first.relay.stop();
    await waitFor(
      'the second relay to take over',
      () => second.relay.status().state === 'publishing',
      5_000,
      () => second.relay.status(),
    );
    const takeoverMs = Date.now() - stopped;
    await during;
    await churn(second.app, admin, users, 3); // after
    expect(first.relay.status().state).to.equal('stopped');

    const rows = await outboxRows(suite.db);
    const consumer = await joining;
    await untilIds(
      consumer,
      rows.map((r) => r.id),
    );
    expectPerUserOrder(consumer.received, rows);
    await waitFor('every row marked published', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt !== null));
    expect(second.relay.status().published, 'the second relay published after the take-over').to.be.above(0);
    expect(takeoverMs, 'take-over time').to.be.below(5_000);
  });
});
