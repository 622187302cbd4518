import { expect } from 'chai';
import type { AuditPage, AuditReader } from '../../../../src/application/audit/ports.js';
import { PurgeAuditTrail } from '../../../../src/application/audit/purge-audit-trail.js';
import { OutboxRelay } from '../../../../src/application/outbox/relay-outbox.js';
import { FixedClock } from '../../../fakes.js';
import { FakeEventPublisher, FakeRelayLock, InMemoryOutboxQueue, RecordingLog, relaySettings } from '../../../relay-fakes.js';

const DAY = 86_400_000;

/** Entry times only, as the purge sees them. */
class InMemoryAuditTimes implements AuditReader {
  deleteCalls = 0;
  constructor(public at: Date[]) {}
  async list(): Promise<AuditPage> {
    return { entries: [], nextCursor: null };
  }
  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    this.deleteCalls += 1;
    const old = this.at.filter((t) => t < cutoff).slice(0, limit);
    this.at = this.at.filter((t) => !old.includes(t));
    return old.length;
  }
}

describe('PurgeAuditTrail', () => {
  const clock = new FixedClock(new Date('2026-06-01T00:00:00Z'));
  const ago = (days: number) => new Date(clock.now().getTime() - days * DAY);

  it('deletes every entry older than the retention, in batches of a thousand, and keeps the rest', async () => {
    const reader = new InMemoryAuditTimes([...Array.from({ length: 2500 }, (_, i) => ago(31 + (i % 300))), ago(29), ago(1)]);
    const { deleted, more } = await new PurgeAuditTrail(reader, clock, 30 * DAY).execute();
    expect([deleted, more]).to.deep.equal([2500, false]);
    expect(reader.at.map((t) => t.getTime())).to.deep.equal([ago(29).getTime(), ago(1).getTime()]);
    expect(reader.deleteCalls).to.equal(3);
  });

  it('periodically: at most 20 batches a tick, then on again at the next tick while some are left, then once an hour', async () => {
    const reader = new InMemoryAuditTimes(Array.from({ length: 25_000 }, () => ago(400)));
    const tick = new PurgeAuditTrail(reader, clock, 365 * DAY).periodically();
    await tick();
    expect(reader.at).to.have.length(5000);
    await tick();
    expect(reader.at).to.have.length(0);
    const calls = reader.deleteCalls;
    await tick(); // the backlog is gone: nothing until an hour has passed
    expect(reader.deleteCalls).to.equal(calls);
    clock.advance(3_600_000);
    await tick();
    expect(reader.deleteCalls).to.equal(calls + 1);
  });

  it("runs with the relay's housekeeping, on the instance that holds the lock", async () => {
    const reader = new InMemoryAuditTimes([ago(400)]);
    const purge = new PurgeAuditTrail(reader, clock, 365 * DAY);
    const relay = new OutboxRelay(
      new InMemoryOutboxQueue(),
      new FakeEventPublisher(),
      new FakeRelayLock(),
      clock,
      relaySettings(),
      new RecordingLog(),
      [() => purge.execute()],
    );
    await relay.housekeeping();
    expect(reader.at).to.deep.equal([]);
  });
});
