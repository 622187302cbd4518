// Hand-written doubles for the outbox relay and the Kafka publisher: each keeps its port's contract and nothing more.
import type { Admin, Kafka, Producer, ProducerConfig, ProducerRecord } from 'kafkajs';
import type { EventPublisher, OutboxLag, OutboxQueue, OutboxRecord, PublishOutcome, RelayLock } from '../src/application/outbox/ports.js';
import type { LogSink } from '../src/application/ports.js';
import { PublishFailed, type RelaySettings } from '../src/application/outbox/relay-outbox.js';
import { T0 } from './fakes.js';

export const USER_ID = '00000000-0000-7000-8000-0000000000aa';

/** A valid `user.logged_in` row with seq `seq`; its id is UUID-shaped and derived from the seq. */
export function anOutboxRecord(seq: number, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  const aggregateId = overrides.aggregateId ?? USER_ID;
  return {
    seq,
    id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    aggregateType: 'user',
    aggregateId,
    type: 'user.logged_in',
    payload: JSON.stringify({ userId: aggregateId }),
    createdAt: new Date(T0.getTime() - 60_000 + seq),
    ...overrides,
  };
}

interface OutboxRow {
  record: OutboxRecord;
  publishedAt: Date | null;
  parked: { error: string; at: Date } | null;
}

/** The outbox table in memory. `failWith()` makes every call throw, as a lost database would. */
export class InMemoryOutboxQueue implements OutboxQueue {
  private rows = new Map<number, OutboxRow>();
  private failure: Error | undefined;
  readonly deleteCalls: Array<{ cutoff: Date; limit: number; deleted: number }> = [];

  add(...records: OutboxRecord[]): this {
    for (const record of records) this.rows.set(record.seq, { record: { ...record }, publishedAt: null, parked: null });
    return this;
  }

  /** A row already published at `publishedAt`. */
  addPublished(record: OutboxRecord, publishedAt: Date): this {
    this.rows.set(record.seq, { record: { ...record }, publishedAt, parked: null });
    return this;
  }

  failWith(error: Error | undefined): void {
    this.failure = error;
  }

  async pending(limit: number): Promise<OutboxRecord[]> {
    this.check();
    return [...this.rows.values()]
      .filter((r) => r.publishedAt === null && r.parked === null)
      .sort((a, b) => a.record.seq - b.record.seq)
      .slice(0, limit)
      .map((r) => ({ ...r.record }));
  }

  async markPublished(seqs: number[], at: Date): Promise<void> {
    this.check();
    for (const seq of seqs) {
      const row = this.rows.get(seq);
      if (row && row.publishedAt === null) row.publishedAt = at;
    }
  }

  async park(seq: number, error: string, at: Date): Promise<void> {
    this.check();
    const row = this.rows.get(seq);
    if (row) row.parked = { error, at };
  }

  async deletePublishedBefore(cutoff: Date, limit: number): Promise<number> {
    this.check();
    const doomed = [...this.rows.values()].filter((r) => r.publishedAt !== null && r.publishedAt < cutoff).slice(0, limit);
    for (const row of doomed) this.rows.delete(row.record.seq);
    this.deleteCalls.push({ cutoff, limit, deleted: doomed.length });
    return doomed.length;
  }

  async lag(now: Date): Promise<OutboxLag> {
    this.check();
    const waiting = [...this.rows.values()].filter((r) => r.publishedAt === null && r.parked === null);
    if (waiting.length === 0) return { pending: 0, oldestAgeMs: null };
    const oldest = Math.min(...waiting.map((r) => r.record.createdAt.getTime()));
    return { pending: waiting.length, oldestAgeMs: now.getTime() - oldest };
  }

  /** Test helpers, not part of the port. */
  seqs(): number[] {
    return [...this.rows.keys()].sort((a, b) => a - b);
  }
  publishedSeqs(): number[] {
    return this.seqs().filter((seq) => this.rows.get(seq)!.publishedAt !== null);
  }
  pendingSeqs(): number[] {
    return this.seqs().filter((seq) => this.rows.get(seq)!.publishedAt === null && this.rows.get(seq)!.parked === null);
  }
  publishedAt(seq: number): Date | null | undefined {
    return this.rows.get(seq)?.publishedAt;
  }
  parkedAs(seq: number): { error: string; at: Date } | null | undefined {
    return this.rows.get(seq)?.parked;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * A broker in memory. `delivered` holds what it acknowledged, in order. While `down`, publish() rejects with
 * PublishFailed and delivers nothing; `holdAcks()` makes publish() wait until `releaseAcks()`, as a slow broker would.
 */
export class FakeEventPublisher implements EventPublisher {
  readonly delivered: OutboxRecord[] = [];
  /** The seqs handed to each publish() call, acknowledged or not. */
  readonly batches: number[][] = [];
  /** performance.now() of each publish() call. */
  readonly callTimes: number[] = [];
  readonly unpublishable = new Map<number, string>();
  down = false;
  failedCalls = 0;
  closeCalls = 0;
  acked = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  async publish(records: OutboxRecord[]): Promise<PublishOutcome> {
    this.batches.push(records.map((r) => r.seq));
    this.callTimes.push(performance.now());
    if (this.gate) await this.gate;
    if (this.down) {
      this.failedCalls += 1;
      throw new PublishFailed('Kafka: broker not available');
    }
    const outcome: PublishOutcome = { unpublishable: [] };
    for (const record of records) {
      const error = this.unpublishable.get(record.seq);
      if (error === undefined) this.delivered.push({ ...record });
      else outcome.unpublishable.push({ seq: record.seq, error });
    }
    this.acked += 1;
    return outcome;
  }

  async close(): Promise<void> {
    this.closeCalls += 1;
  }

  holdAcks(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  releaseAcks(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  deliveredSeqs(): number[] {
    return this.delivered.map((r) => r.seq);
  }
}

/** A named lock shared with other instances: `free` says whether nobody else holds it. */
export class FakeRelayLock implements RelayLock {
  held = false;
  acquireCalls = 0;
  releases = 0;

  constructor(public free = true) {}

  async acquire(): Promise<boolean> {
    this.acquireCalls += 1;
    if (!this.held && this.free) {
      this.held = true;
      this.free = false;
    }
    return this.held;
  }

  async holds(): Promise<boolean> {
    return this.held;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.free = true;
    this.releases += 1;
  }

  /** Our connection died and another instance took the lock: holds() turns false and acquire() refuses. */
  loseToAnotherInstance(): void {
    this.held = false;
    this.free = false;
  }
}

export class RecordingLog implements LogSink {
  readonly entries: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; obj: object; msg: string }> = [];
  debug(obj: object, msg: string): void {
    this.entries.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
}

/** Short real intervals, so loop tests run in tens of milliseconds. */
export function relaySettings(overrides: Partial<RelaySettings> = {}): RelaySettings {
  return {
    batchSize: 10,
    pollIntervalMs: 20,
    retentionMs: 7 * 24 * 3600_000,
    lockRetryMs: 10,
    maxBackoffMs: 40,
    housekeepingMs: 60_000,
    ...overrides,
  };
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every few ms; fails the test, naming `what`, if it is still false after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(2);
  }
}

// ---- kafkajs ----

/** A kafkajs producer that records what it was asked to send. `connected` is false until connect(). */
export class FakeProducer {
  connected = false;
  disconnects = 0;
  readonly sent: ProducerRecord[] = [];

  constructor(
    readonly config: ProducerConfig | undefined,
    private readonly kafka: FakeKafka,
  ) {}

  async connect(): Promise<void> {
    if (this.kafka.connectFailure) throw this.kafka.connectFailure;
    this.connected = true;
  }

  async send(record: ProducerRecord): Promise<[]> {
    if (!this.connected) throw new Error('The producer is disconnected');
    const failure = this.kafka.nextSendFailure;
    this.kafka.nextSendFailure = undefined;
    if (failure) throw failure;
    this.sent.push(structuredClone(record));
    return [];
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.disconnects += 1;
  }
}

/** Stands in for kafkajs' `Kafka`: only producer() is used, and every producer it made is kept. */
export class FakeKafka {
  readonly producers: FakeProducer[] = [];
  nextSendFailure: Error | undefined;
  connectFailure: Error | undefined;
  /** Every createTopics() call of an admin client, in order. */
  readonly topicsCreated: Array<Parameters<Admin['createTopics']>[0]> = [];
  createTopicsFailure: Error | undefined;

  admin(): Admin {
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      createTopics: async (options: Parameters<Admin['createTopics']>[0]) => {
        this.topicsCreated.push(options);
        const failure = this.createTopicsFailure;
        this.createTopicsFailure = undefined;
        if (failure) throw failure;
        return true;
      },
    };
    return admin as unknown as Admin;
  }

  producer(config?: ProducerConfig): Producer {
    const producer = new FakeProducer(config, this);
    this.producers.push(producer);
    return producer as unknown as Producer;
  }

  asKafka(): Kafka {
    return this as unknown as Kafka;
  }

  /** Every record sent, by any producer, in order. */
  sent(): ProducerRecord[] {
    return this.producers.flatMap((p) => p.sent);
  }
}
