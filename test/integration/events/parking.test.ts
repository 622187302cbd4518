import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  consume,
  eventsSuite,
  expectCloudEvent,
  freshTopic,
  insertOutboxRow,
  outboxRows,
  register,
  sleep,
  untilIds,
  waitFor,
  wiredRelay,
} from './helpers.js';

describe('an outbox row that cannot be published', function () {
  this.timeout(30_000);
  const suite = eventsSuite();

  it('is parked with its error, and the rows after it are published', async () => {
    const topic = await freshTopic(suite.kafka, 'parking');
    const joining = consume(suite, topic);
    const good = await insertOutboxRow(suite.db);
    const badType = await insertOutboxRow(suite.db, { type: 'user.exploded' });
    const missingFields = await insertOutboxRow(suite.db, { payload: JSON.stringify({ userId: good.aggregateid }) });
    const badRole = await insertOutboxRow(suite.db, {
      type: 'user.role_changed',
      payload: JSON.stringify({ userId: good.aggregateid, from: 'user', to: 'root', changedBy: good.aggregateid }),
    });
    const bad = [badType, missingFields, badRole].map((r) => r.id);

    const { app, relay } = wiredRelay(suite, topic);
    relay.start();
    const user = await register(app); // after the bad rows
    await waitFor('the relay to take every row', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt || r.parkedAt));

    const rows = await outboxRows(suite.db);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of bad) {
      expect(byId.get(id), `bad row ${id}`).to.include({ publishedAt: null }).and.have.property('parkedAt').that.is.instanceOf(Date);
    }
    expect(byId.get(badType.id)!.lastError).to.match(/unknown event type user\.exploded/);
    expect(byId.get(missingFields.id)!.lastError)
      .to.match(/does not match the user\.created schema/)
      .and.match(/username/);
    expect(byId.get(badRole.id)!.lastError)
      .to.match(/does not match the user\.role_changed schema/)
      .and.match(/to/);
    const published = rows.filter((r) => !bad.includes(r.id));
    expect(published.map((r) => r.aggregateid)).to.deep.equal([good.aggregateid, user.id]);
    for (const row of published) expect(row).to.include({ parkedAt: null, lastError: null });
    expect(relay.status()).to.include({ parked: 3, state: 'publishing' });

    const consumer = await joining;
    await untilIds(
      consumer,
      published.map((r) => r.id),
    );
    await sleep(300); // time for anything unexpected to arrive
    expect(consumer.received.map((m) => m.event.id).sort()).to.deep.equal(published.map((r) => r.id).sort());
    for (const message of consumer.received) expectCloudEvent(message, byId.get(message.event.id)!);
  });

  // The column holds JSON; a JSON *string* is not an event's data, whatever text it holds. A driver that returns
  // JSON columns already parsed (mysql2 on MySQL 8 and MariaDB) must not make the relay parse that text again.
  it('parks a payload stored as a JSON string, even one whose text is a valid event', async () => {
    const { relay } = wiredRelay(suite, await freshTopic(suite.kafka, 'parking-strings'));
    const plainString = await insertOutboxRow(suite.db, { type: 'user.logged_in', payload: JSON.stringify('just a string') });
    const userId = randomUUID();
    const encodedTwice = await insertOutboxRow(suite.db, {
      type: 'user.logged_in',
      aggregateid: userId,
      payload: JSON.stringify(JSON.stringify({ userId })),
    });
    relay.start();

    await waitFor('the relay to take both rows', async () => (await outboxRows(suite.db)).every((r) => r.publishedAt || r.parkedAt));
    const taken = (await outboxRows(suite.db)).map((r) => ({ id: r.id, parked: r.parkedAt !== null, published: r.publishedAt !== null }));
    expect(taken).to.deep.equal([
      { id: plainString.id, parked: true, published: false },
      { id: encodedTwice.id, parked: true, published: false },
    ]);
  });
});
