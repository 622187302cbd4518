import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { KnexOutboxQueue } from '../../../src/adapters/persistence/knex-outbox-queue.js';
import { mysqlConnection } from '../../../src/adapters/persistence/db.js';
import { relayLockName } from '../../../src/adapters/persistence/relay-locks.js';
import { eventsSuite, freshTopic, insertOutboxRow, outboxRows, waitFor, wiredRelay } from './helpers.js';

describe('outbox retention', function () {
  this.timeout(30_000);
  const suite = eventsSuite();

  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

  /** Published rows (old and recent), a pending one and a parked one. */
  async function aMixedOutbox() {
    return {
      published: [
        await insertOutboxRow(suite.db, { publishedAt: minutesAgo(60) }),
        await insertOutboxRow(suite.db, { publishedAt: minutesAgo(1) }),
      ],
      pending: await insertOutboxRow(suite.db),
      parked: await insertOutboxRow(suite.db, {
        type: 'user.exploded',
        parkedAt: minutesAgo(60),
        lastError: 'unknown event type user.exploded',
      }),
    };
  }

  it("deletes published rows past retention in the relay's housekeeping, and keeps unpublished and parked ones", async () => {
    // Hold the relay lock, so the relay runs but stands by: it publishes nothing while the test looks.
    const connection = mysqlConnection(suite.mysql.url);
    const holder = await mysql.createConnection(connection);
    suite.defer(() => holder.end());
    const [[got]] = await holder.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [relayLockName(connection.database!)]);
    expect(got!.got, 'the relay lock').to.equal(1);

    const rows = await aMixedOutbox();
    const { relay } = wiredRelay(suite, await freshTopic(suite.kafka, 'retention'), { OUTBOX_RETENTION_HOURS: '0' });
    relay.start();
    await waitFor(
      'the relay to stand by',
      () => relay.status().state === 'standby',
      5_000,
      () => relay.status(),
    );

    await relay.housekeeping();

    expect((await outboxRows(suite.db)).map((r) => r.id)).to.deep.equal([rows.pending.id, rows.parked.id]);
    expect(relay.status()).to.include({ pending: 1, published: 0 });
  });

  it('deletes only rows published before the cutoff, at most `limit` at a time', async () => {
    const rows = await aMixedOutbox();
    const queue = new KnexOutboxQueue(suite.db);

    expect(await queue.deletePublishedBefore(minutesAgo(30), 10), 'older than 30 minutes').to.equal(1);
    expect(await queue.deletePublishedBefore(new Date(), 10), 'the rest').to.equal(1);
    expect((await outboxRows(suite.db)).map((r) => r.id)).to.deep.equal([rows.pending.id, rows.parked.id]);

    const more = [
      await insertOutboxRow(suite.db, { publishedAt: minutesAgo(5) }),
      await insertOutboxRow(suite.db, { publishedAt: minutesAgo(5) }),
    ];
    expect(await queue.deletePublishedBefore(new Date(), 1), 'a chunk of one').to.equal(1);
    expect((await outboxRows(suite.db)).map((r) => r.id)).to.deep.equal([rows.pending.id, rows.parked.id, more[1]!.id]);
  });
});
