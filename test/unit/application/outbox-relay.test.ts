import { expect } from 'chai';
import { OutboxRelay, PublishFailed, type RelaySettings } from '../../../src/application/outbox/relay-outbox.js';
import { FixedClock, T0 } from '../../fakes.js';
import {
  anOutboxRecord,
  delay,
  FakeEventPublisher,
  FakeRelayLock,
  InMemoryOutboxQueue,
  RecordingLog,
  relaySettings,
  waitFor,
} from '../../relay-fakes.js';

const DAY = 24 * 3600_000;

describe('OutboxRelay', () => {
  let queue: InMemoryOutboxQueue;
  let publisher: FakeEventPublisher;
  let lock: FakeRelayLock;
  let clock: FixedClock;
  let log: RecordingLog;
  const started: OutboxRelay[] = [];

  beforeEach(() => {
    queue = new InMemoryOutboxQueue();
    publisher = new FakeEventPublisher();
    lock = new FakeRelayLock();
    clock = new FixedClock();
    log = new RecordingLog();
  });

  afterEach(async () => {
    publisher.releaseAcks();
    await Promise.all(started.splice(0).map((r) => r.stop()));
  });

  const relay = (settings: Partial<RelaySettings> = {}): OutboxRelay =>
    new OutboxRelay(queue, publisher, lock, clock, relaySettings(settings), log);

  const running = (settings: Partial<RelaySettings> = {}): OutboxRelay => {
    const r = relay(settings);
    started.push(r);
    r.start();
    return r;
  };

  const records = (...seqs: number[]) => seqs.map((seq) => anOutboxRecord(seq));

  describe('relayOnce()', () => {
    it('publishes up to batchSize pending records in seq order, then marks exactly those published', async () => {
      queue.add(...records(4, 2, 5, 1, 3));

      const taken = await relay({ batchSize: 3 }).relayOnce();

      expect(taken).to.equal(3);
      expect(publisher.batches).to.deep.equal([[1, 2, 3]]);
      expect(publisher.deliveredSeqs()).to.deep.equal([1, 2, 3]);
      expect(queue.publishedSeqs()).to.deep.equal([1, 2, 3]);
      expect(queue.publishedAt(1)).to.deep.equal(T0);
      expect(queue.pendingSeqs()).to.deep.equal([4, 5]);
    });

    it('marks nothing until publish() has resolved', async () => {
      queue.add(...records(1, 2));
      publisher.holdAcks();

      const once = relay().relayOnce();
      await waitFor('publish() to be called', () => publisher.batches.length === 1);
      await delay(10);
      expect(queue.publishedSeqs()).to.deep.equal([]);

      publisher.releaseAcks();
      await once;
      expect(queue.publishedSeqs()).to.deep.equal([1, 2]);
    });

    it('marks nothing when publish() rejects, so the same records go out again on the next try', async () => {
      queue.add(...records(1, 2));
      const r = relay();
      publisher.down = true;

      const error = await r.relayOnce().catch((e: unknown) => e);

      expect(error).to.be.instanceOf(PublishFailed);
      expect(queue.publishedSeqs()).to.deep.equal([]);
      expect(queue.pendingSeqs()).to.deep.equal([1, 2]);

      publisher.down = false;
      await r.relayOnce();
      expect(publisher.batches).to.deep.equal([
        [1, 2],
        [1, 2],
      ]);
      expect(queue.publishedSeqs()).to.deep.equal([1, 2]);
    });

    it('parks unpublishable records with their error and marks only the others', async () => {
      queue.add(...records(1, 2, 3));
      publisher.unpublishable.set(2, 'unknown event type user.renamed');
      const r = relay();

      const taken = await r.relayOnce();

      expect(taken).to.equal(3);
      expect(queue.publishedSeqs()).to.deep.equal([1, 3]);
      expect(queue.parkedAs(2)).to.deep.equal({ error: 'unknown event type user.renamed', at: T0 });
      expect(queue.parkedAs(1)).to.equal(null);
      expect(queue.pendingSeqs()).to.deep.equal([]);
      expect(r.status()).to.include({ published: 2, parked: 1 });
      expect(log.entries.filter((e) => e.level === 'error').map((e) => e.obj)).to.deep.equal([
        { seq: 2, error: 'unknown event type user.renamed' },
      ]);
    });

    it('does not call the broker when nothing is pending', async () => {
      expect(await relay().relayOnce()).to.equal(0);
      expect(publisher.batches).to.deep.equal([]);
    });
  });

  describe('the loop', () => {
    it('stays on standby and publishes nothing while another instance holds the lock', async () => {
      queue.add(...records(1, 2));
      lock.free = false;

      const r = running();
      await waitFor('a few lock attempts', () => lock.acquireCalls >= 3);

      expect(r.status().state).to.equal('standby');
      expect(publisher.batches).to.deep.equal([]);
      expect(queue.pendingSeqs()).to.deep.equal([1, 2]);
    });

    it('takes over and publishes once the lock is granted', async () => {
      queue.add(...records(1, 2));
      lock.free = false;
      const r = running();
      await waitFor('standby', () => r.status().state === 'standby');

      lock.free = true;
      await waitFor('both records published', () => queue.publishedSeqs().length === 2);

      expect(lock.held).to.equal(true);
      expect(r.status()).to.include({ state: 'publishing', published: 2 });
      expect(publisher.deliveredSeqs()).to.deep.equal([1, 2]);
    });

    it('stops publishing and goes back to standby when holds() turns false', async () => {
      queue.add(...records(1));
      const r = running();
      await waitFor('record 1 published', () => queue.publishedSeqs().length === 1);

      lock.loseToAnotherInstance();
      await waitFor('standby', () => r.status().state === 'standby');
      queue.add(...records(2));
      r.notify();
      await delay(60);

      expect(r.status().state).to.equal('standby');
      expect(publisher.batches).to.deep.equal([[1]]);
      expect(queue.pendingSeqs()).to.deep.equal([2]);
    });

    it('stop() finishes the batch in hand, then releases the lock and closes the publisher', async () => {
      queue.add(...records(1, 2, 3, 4));
      publisher.holdAcks();
      const r = running({ batchSize: 2 });
      await waitFor('the first batch to be in flight', () => publisher.batches.length === 1);

      let stopped = false;
      const stopping = r.stop().then(() => (stopped = true));
      await delay(20);
      expect(stopped, 'stop() resolved before the batch in hand was acknowledged').to.equal(false);
      expect(publisher.closeCalls).to.equal(0);
      expect(lock.held).to.equal(true);

      publisher.releaseAcks();
      await stopping;

      expect(queue.publishedSeqs()).to.deep.equal([1, 2]);
      expect(queue.pendingSeqs()).to.deep.equal([3, 4]);
      expect(publisher.batches).to.deep.equal([[1, 2]]);
      expect(lock.held).to.equal(false);
      expect(lock.releases).to.equal(1);
      expect(publisher.closeCalls).to.equal(1);
      expect(r.status().state).to.equal('stopped');
    });

    it('notify() wakes a relay sleeping through a long poll interval at once', async () => {
      const r = running({ pollIntervalMs: 60_000 });
      await waitFor('the first (empty) poll', () => r.status().state === 'publishing');
      await delay(10);

      queue.add(...records(1));
      await delay(50);
      expect(queue.publishedSeqs(), 'published before notify(): the poll interval is not in effect').to.deep.equal([]);

      r.notify();
      await waitFor('the record to be published after notify()', () => queue.publishedSeqs().length === 1, 200);
      expect(publisher.deliveredSeqs()).to.deep.equal([1]);
    });

    it('reports broker-down while the publisher fails, retries, and on recovery publishes everything in order', async () => {
      queue.add(...records(1, 2, 3, 4, 5));
      publisher.down = true;
      const r = running({ batchSize: 2, maxBackoffMs: 20 });

      await waitFor('several failed attempts', () => r.status().errors >= 5);
      const failing = r.status();
      expect(failing.state).to.equal('broker-down');
      expect(failing.lastError).to.equal('Kafka: broker not available');
      expect(queue.publishedSeqs()).to.deep.equal([]);
      expect(publisher.batches.every((b) => b.join() === '1,2')).to.equal(true);

      publisher.down = false;
      await waitFor('every record published', () => queue.pendingSeqs().length === 0);

      expect(publisher.deliveredSeqs()).to.deep.equal([1, 2, 3, 4, 5]);
      expect(queue.publishedSeqs()).to.deep.equal([1, 2, 3, 4, 5]);
      const recovered = r.status();
      expect(recovered.state).to.equal('publishing');
      expect(recovered.errors).to.equal(publisher.failedCalls);
      expect(recovered.published).to.equal(5);
    });

    it('logs a broker that is down once when it goes (no stack) and once when it returns, the retries at debug', async () => {
      queue.add(...records(1, 2));
      publisher.down = true;
      const r = running({ maxBackoffMs: 10 });
      await waitFor('several failed attempts', () => r.status().errors >= 6);
      clock.advance(60_000);
      publisher.down = false;
      await waitFor('every record published', () => queue.pendingSeqs().length === 0);

      const above = (level: string) => log.entries.filter((e) => e.level === level);
      expect(above('error')).to.deep.equal([]);
      expect(above('warn').map((e) => e.msg)).to.deep.equal(['broker unreachable: events wait in the outbox; retrying until it is back']);
      expect(above('warn')[0]!.obj).to.include({ error: 'Kafka: broker not available' }).and.not.to.have.property('err');
      const failures = r.status().errors;
      expect(above('debug').filter((e) => e.msg === 'outbox relay still failing; retrying')).to.have.length(failures - 1);
      const back = above('info').filter((e) => e.msg.startsWith('broker reachable again'));
      expect(back.map((e) => e.obj)).to.deep.equal([{ downForMs: 60_000, failures }]);
    });

    it('backs off exponentially between failed attempts, up to maxBackoffMs', async () => {
      queue.add(...records(1));
      publisher.down = true;
      running({ maxBackoffMs: 200 });

      await waitFor('five attempts', () => publisher.callTimes.length >= 5, 2000);

      const t = publisher.callTimes;
      const gaps = t.slice(1, 5).map((at, i) => at - t[i]!);
      // 100 ms, doubled, then held at the 200 ms ceiling.
      expect(gaps[0]).to.be.within(95, 170);
      expect(gaps[1]).to.be.within(195, 280);
      expect(gaps[2]).to.be.within(195, 280);
      expect(gaps[3]).to.be.within(195, 280);
    });

    it("reports 'failing' when something other than the publisher fails, and resumes when it recovers", async () => {
      queue.add(...records(1));
      queue.failWith(new Error('connection lost'));
      const r = running({ maxBackoffMs: 20 });

      await waitFor('a failure', () => r.status().errors >= 2);
      expect(r.status()).to.include({ state: 'failing', lastError: 'connection lost' });
      expect(publisher.batches).to.deep.equal([]);

      queue.failWith(undefined);
      await waitFor('the record published', () => queue.publishedSeqs().length === 1);
      expect(r.status().state).to.equal('publishing');
    });
  });

  describe('housekeeping()', () => {
    it('takes pending and oldestAgeMs from the queue', async () => {
      queue.add(anOutboxRecord(1, { createdAt: new Date(T0.getTime() - 5000) }), anOutboxRecord(2, { createdAt: T0 }));
      queue.addPublished(anOutboxRecord(3, { createdAt: new Date(T0.getTime() - 9000) }), T0);
      const r = relay();

      await r.housekeeping();
      expect(r.status()).to.include({ pending: 2, oldestAgeMs: 5000 });

      await queue.markPublished([1, 2], T0);
      await r.housekeeping();
      expect(r.status()).to.include({ pending: 0, oldestAgeMs: null });
    });

    /** 2,500 rows published 8 days ago, one just past and one just inside a 7-day retention, one still pending. */
    function fillForRetention(): { cutoff: Date } {
      const cutoff = new Date(T0.getTime() - 7 * DAY);
      for (let seq = 1; seq <= 2500; seq += 1) queue.addPublished(anOutboxRecord(seq), new Date(T0.getTime() - 8 * DAY));
      queue.addPublished(anOutboxRecord(2501), new Date(cutoff.getTime() - 1));
      queue.addPublished(anOutboxRecord(2502), new Date(cutoff.getTime() + 1));
      queue.add(anOutboxRecord(2503, { createdAt: new Date(T0.getTime() - 30 * DAY) }));
      return { cutoff };
    }

    it('deletes rows published before now − retentionMs, chunk by chunk, until a chunk comes back short', async () => {
      const { cutoff } = fillForRetention();

      const r = running({ retentionMs: 7 * DAY });
      await waitFor('housekeeping to finish', () => queue.deleteCalls.length >= 3 && r.status().state === 'publishing');
      await r.stop();

      expect(queue.deleteCalls).to.deep.equal([
        { cutoff, limit: 1000, deleted: 1000 },
        { cutoff, limit: 1000, deleted: 1000 },
        { cutoff, limit: 1000, deleted: 501 },
      ]);
      expect(queue.seqs()).to.deep.equal([2502, 2503]);
    });

    it('deletes them as well when called directly, outside the loop', async () => {
      const { cutoff } = fillForRetention();

      await relay({ retentionMs: 7 * DAY }).housekeeping();

      expect(queue.deleteCalls.map((c) => [c.cutoff, c.deleted])).to.deep.equal([
        [cutoff, 1000],
        [cutoff, 1000],
        [cutoff, 501],
      ]);
      expect(queue.seqs()).to.deep.equal([2502, 2503]);
    });
  });
});
