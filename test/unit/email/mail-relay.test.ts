import { expect } from 'chai';
import {
  PermanentMailFailure,
  type MailOutbox,
  type MailQueueCounts,
  type MailSender,
  type MailToSend,
} from '../../../src/application/email/ports.js';
import { MailRelay } from '../../../src/application/email/relay-mail.js';
import { FixedClock } from '../../fakes.js';

interface Row extends MailToSend {
  state: 'waiting' | 'sent' | 'parked';
  dueAt: number;
  error?: string;
  sentAt?: number;
}

/** The queue's contract in memory: claims lease a row, sent or parked rows lose their params. */
class InMemoryMailOutbox implements MailOutbox {
  rows: Row[] = [];
  add(seq: number): void {
    this.rows.push({
      seq,
      id: `m${seq}`,
      kind: 'verify-email',
      to: `u${seq}@example.com`,
      params: { token: `t${seq}` },
      attempts: 0,
      state: 'waiting',
      dueAt: 0,
    });
  }
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<MailToSend[]> {
    const due = this.rows.filter((r) => r.state === 'waiting' && r.dueAt <= now.getTime()).slice(0, limit);
    for (const r of due) Object.assign(r, { attempts: r.attempts + 1, dueAt: now.getTime() + leaseMs });
    return due.map(({ seq, id, kind, to, params, attempts }) => ({ seq, id, kind, to, params: { ...params }, attempts }));
  }
  private row(seq: number): Row {
    return this.rows.find((r) => r.seq === seq)!;
  }
  async markSent(seq: number, at: Date): Promise<void> {
    Object.assign(this.row(seq), { state: 'sent', params: {}, sentAt: at.getTime() });
  }
  async retryAt(seq: number, at: Date, error: string): Promise<void> {
    Object.assign(this.row(seq), { dueAt: at.getTime(), error });
  }
  async park(seq: number, error: string): Promise<void> {
    Object.assign(this.row(seq), { state: 'parked', params: {}, error });
  }
  async deleteSentBefore(cutoff: Date): Promise<number> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(r.state === 'sent' && (r.sentAt ?? Infinity) < cutoff.getTime()));
    return before - this.rows.length;
  }
  async counts(): Promise<MailQueueCounts> {
    const n = (s: Row['state']) => this.rows.filter((r) => r.state === s).length;
    return { pending: n('waiting'), parked: n('parked'), sent: n('sent') };
  }
}

const settings = {
  pollIntervalMs: 10,
  batchSize: 10,
  leaseMs: 60_000,
  baseBackoffMs: 1000,
  maxBackoffMs: 5000,
  maxAttempts: 5,
  retentionMs: 3_600_000,
};
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function setup(send: (mail: MailToSend) => Promise<void>) {
  const outbox = new InMemoryMailOutbox();
  const clock = new FixedClock();
  const sent: MailToSend[] = [];
  const sender: MailSender = {
    send: async (m) => {
      await send(m);
      sent.push(m);
    },
  };
  return { outbox, clock, sent, relay: new MailRelay(outbox, sender, clock, settings, quiet) };
}

describe('MailRelay', () => {
  it('sends each due message and erases its body', async () => {
    const { outbox, relay, sent } = setup(async () => undefined);
    outbox.add(1);
    outbox.add(2);
    expect(await relay.sendDue()).to.equal(2);
    expect(sent.map((m) => m.params.token)).to.deep.equal(['t1', 't2']);
    expect(outbox.rows.map((r) => [r.state, r.params])).to.deep.equal([
      ['sent', {}],
      ['sent', {}],
    ]);
    expect(relay.status()).to.include({ sent: 2, parked: 0 });
  });

  it('retries a temporary failure with a doubling back-off, capped, keeping the body', async () => {
    const { outbox, relay, clock } = setup(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    outbox.add(1);
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      await relay.sendDue();
      waits.push(outbox.rows[0]!.dueAt - clock.now().getTime());
      clock.advance(waits[i]!);
    }
    expect(waits).to.deep.equal([1000, 2000, 4000, 5000]);
    expect(outbox.rows[0]).to.include({ state: 'waiting', error: 'connect ECONNREFUSED' });
    expect(outbox.rows[0]!.params).to.deep.equal({ token: 't1' });
  });

  it('parks a message refused for good (5xx) at once, with the reason, its body erased; the others go on', async () => {
    const { outbox, relay, sent } = setup(async (m) => {
      if (m.seq === 1) throw new PermanentMailFailure('550 5.1.1 No such mailbox');
    });
    outbox.add(1);
    outbox.add(2);
    await relay.sendDue();
    expect(outbox.rows[0]).to.include({ state: 'parked', error: '550 5.1.1 No such mailbox', attempts: 1 });
    expect(outbox.rows[0]!.params).to.deep.equal({});
    expect(sent.map((m) => m.seq)).to.deep.equal([2]);
    expect(relay.status()).to.include({ sent: 1, parked: 1 });
  });

  it('parks a message that failed MAIL_MAX_ATTEMPTS times', async () => {
    const { outbox, relay, clock } = setup(async () => {
      throw new Error('451 try later');
    });
    outbox.add(1);
    for (let i = 0; i < settings.maxAttempts; i += 1) {
      await relay.sendDue();
      clock.advance(settings.maxBackoffMs);
    }
    expect(outbox.rows[0]).to.include({ state: 'parked', attempts: 5, error: '451 try later' });
  });

  it('forgets sent messages after the retention, keeping parked and recent ones', async () => {
    const { outbox, relay, clock } = setup(async (m) => {
      if (m.seq === 2) throw new PermanentMailFailure('550');
    });
    outbox.add(1);
    outbox.add(2);
    await relay.sendDue();
    clock.advance(settings.retentionMs / 2);
    outbox.add(3);
    await relay.sendDue();
    clock.advance(settings.retentionMs / 2 + 1);
    relay.start(); // housekeeping runs from the relay's loop
    await new Promise((resolve) => setTimeout(resolve, 30));
    await relay.stop();
    expect(outbox.rows.map((r) => [r.seq, r.state])).to.deep.equal([
      [2, 'parked'],
      [3, 'sent'],
    ]);
  });

  it('leaves a message alone while another sender holds it', async () => {
    const { outbox, relay } = setup(async () => undefined);
    outbox.add(1);
    await outbox.claimDue(new Date(), 10, 60_000); // claimed elsewhere
    expect(await relay.sendDue()).to.equal(0);
  });
});
