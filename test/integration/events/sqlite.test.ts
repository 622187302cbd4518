import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../src/adapters/persistence/db.js';
import { OutboxRelay } from '../../../src/application/outbox/relay-outbox.js';
import { testApp, testEnv } from '../../support/test-app.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';
import {
  cleanups,
  consume,
  expectCloudEvent,
  freshTopic,
  insertOutboxRow,
  outboxRows,
  register,
  untilIds,
  waitFor,
  relayEnv,
} from './helpers.js';

describe('the relay on the embedded SQLite default', function () {
  this.timeout(30_000);
  let kafka: TestKafka, db: Knex, dir: string;
  const defer = cleanups();
  before(async function () {
    kafka = await kafkaFor(this);
    dir = mkdtempSync(join(tmpdir(), 'authsvc-events-'));
    db = createDb({ kind: 'sqlite', file: join(dir, 'authsvc.sqlite') });
    await db.migrate.latest();
  });
  after(async () => {
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await kafka?.dispose();
  });

  /** The production wiring without DATABASE_URL: SQLite, and the trivial in-process lock. */
  async function sqliteRelay(prefix: string) {
    const topic = await freshTopic(kafka, prefix);
    const { app, container } = testApp(db, testEnv(relayEnv(kafka, topic)));
    const relay = container.get(OutboxRelay);
    defer(() => relay.stop());
    relay.start();
    return { topic, app, relay };
  }

  it('publishes a registration made over HTTP', async () => {
    const { topic, app, relay } = await sqliteRelay('sqlite');
    const joining = consume({ kafka, defer }, topic);
    const user = await register(app);

    const [row] = await outboxRows(db);
    expect(row).to.include({ aggregateid: user.id, type: 'user.created' });
    const [message] = await untilIds(await joining, [row!.id]);
    expectCloudEvent(message!, row!);
    await waitFor('the row marked published', async () => (await outboxRows(db))[0]!.publishedAt !== null);
    expect(relay.status().state).to.equal('publishing');
  });

  it('parks a row whose payload is not JSON (which only SQLite can store) and publishes the next', async () => {
    await db('outbox').delete();
    const corrupt = await insertOutboxRow(db, { payload: '{"userId": oops' });
    const { topic, app } = await sqliteRelay('sqlite-parking');
    const joining = consume({ kafka, defer }, topic);
    const user = await register(app);

    await waitFor('the relay to take both rows', async () => (await outboxRows(db)).every((r) => r.publishedAt || r.parkedAt));
    const [parked, published] = await outboxRows(db);
    expect(parked).to.include({ id: corrupt.id, publishedAt: null });
    expect(parked!.parkedAt).to.be.instanceOf(Date);
    expect(parked!.lastError).to.match(/^payload is not JSON/);
    expect(published).to.include({ aggregateid: user.id, parkedAt: null });
    const received = await untilIds(await joining, [published!.id]);
    expect(received.map((m) => m.event.id)).to.deep.equal([published!.id]);
  });
});
