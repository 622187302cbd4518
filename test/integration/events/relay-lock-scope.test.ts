import { expect } from 'chai';
import { testMySql } from '../../support/test-database.js';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { consume, eventsSuite, freshTopic, register, untilIds, waitFor, wiredRelay } from './helpers.js';

// The one test here needs a second database on the same server: the relay lock must be scoped to one database.
describe('the relay lock of one database', function () {
  this.timeout(60_000);
  const suite = eventsSuite();

  it('does not hold back the relay of another database on the same server', async () => {
    const topic = await freshTopic(suite.kafka, 'lock-here');
    const here = wiredRelay(suite, topic);
    here.relay.start();
    await waitFor(
      'this relay to publish',
      () => here.relay.status().state === 'publishing',
      5_000,
      () => here.relay.status(),
    );

    const server = (await testMySql())!;
    const otherDb = createDb({ kind: 'mysql', url: server.url });
    suite.defer(async () => {
      await otherDb.destroy();
      await server.dispose();
    });
    await otherDb.migrate.latest();
    const otherTopic = await freshTopic(suite.kafka, 'lock-there');
    const joining = consume(suite, otherTopic);
    const there = wiredRelay(suite, otherTopic, {}, { db: otherDb, url: server.url });
    there.relay.start();

    const user = await register(there.app);
    await waitFor(
      "the other database's relay to publish",
      () => there.relay.status().state === 'publishing',
      5_000,
      () => there.relay.status(),
    );
    const [row] = await otherDb('outbox').where({ aggregateid: user.id });
    const received = await untilIds(await joining, [row.id]);
    expect(received.map((m) => m.event.subject)).to.deep.equal([user.id]);
    expect(here.relay.status().state).to.equal('publishing');
  });
});
