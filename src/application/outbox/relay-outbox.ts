import type { Clock, LogSink } from '../ports.js';
import type { EventPublisher, OutboxLag, OutboxQueue, OutboxSignal, RelayLock } from './ports.js';

export interface RelaySettings {
  batchSize: number;
  /** How often to look for events committed by other processes; a commit in this process wakes the relay at once. */
  pollIntervalMs: number;
  /** How long published rows are kept before deletion. */
  retentionMs: number;
  /** How often a standby tries to become the publisher. */
  lockRetryMs: number;
  /** Ceiling of the exponential back-off after a failure. */
  maxBackoffMs: number;
  /** How often lag is measured and retention applied. */
  housekeepingMs: number;
}

export type RelayState = 'starting' | 'standby' | 'publishing' | 'broker-down' | 'failing' | 'stopped';

export interface RelayStatus extends OutboxLag {
  state: RelayState;
  published: number;
  parked: number;
  errors: number;
  lastError: string | null;
}

const RETENTION_DELETE_CHUNK = 1000;

/**
 * Moves outbox rows to the broker, at least once and in seq order: read the oldest pending rows, send them,
 * and only after the broker acknowledged them mark them published. A crash between send and mark sends them
 * again (same event ids), never skips them. One relay publishes at a time: the one holding the lock.
 */
export class OutboxRelay implements OutboxSignal {
  private running = false;
  /** Set by stop() only: cuts a long retention delete short, while housekeeping() also works outside the loop. */
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private leader = false;
  private lastHousekeeping = 0;
  /** Since when the relay fails, and how (reported once when it starts and once when it ends); undefined while it works. */
  private outage: { since: number; state: RelayState; failures: number } | undefined;
  private readonly stats: RelayStatus = {
    state: 'starting',
    published: 0,
    parked: 0,
    errors: 0,
    lastError: null,
    pending: 0,
    oldestAgeMs: null,
  };

  constructor(
    private readonly queue: OutboxQueue,
    private readonly publisher: EventPublisher,
    private readonly lock: RelayLock,
    private readonly clock: Clock,
    private readonly settings: RelaySettings,
    private readonly log: LogSink,
    /** Other clean-ups of the relay process (the audit trail's retention), run with the outbox's by the lock holder. */
    private readonly chores: Array<() => Promise<unknown>> = [],
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand, then gives up the lock and closes the broker connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    this.notify();
    await this.loop;
    if (this.leader) await this.lock.release().catch(() => undefined);
    this.leader = false;
    await this.publisher.close();
    this.stats.state = 'stopped';
  }

  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  status(): RelayStatus {
    return { ...this.stats };
  }

  /** One batch: returns how many rows it took from the queue (published or parked). */
  async relayOnce(): Promise<number> {
    const records = await this.queue.pending(this.settings.batchSize);
    if (records.length === 0) return 0;
    const { unpublishable } = await this.publisher.publish(records);
    const now = this.clock.now();
    for (const { seq, error } of unpublishable) {
      await this.queue.park(seq, error, now);
      this.log.error({ seq, error }, 'outbox event parked: it cannot be published');
    }
    const parked = new Set(unpublishable.map((u) => u.seq));
    const sent = records.filter((r) => !parked.has(r.seq)).map((r) => r.seq);
    if (sent.length) await this.queue.markPublished(sent, now);
    this.stats.published += sent.length;
    this.stats.parked += parked.size;
    return records.length;
  }

  /** Measures lag and deletes published rows past retention. */
  async housekeeping(): Promise<void> {
    const now = this.clock.now();
    Object.assign(this.stats, await this.queue.lag(now));
    const cutoff = new Date(now.getTime() - this.settings.retentionMs);
    let deleted = 0;
    for (let n = RETENTION_DELETE_CHUNK; n === RETENTION_DELETE_CHUNK && !this.stopping; deleted += n) {
      n = await this.queue.deletePublishedBefore(cutoff, RETENTION_DELETE_CHUNK);
    }
    if (this.stats.pending > 0 || deleted > 0) {
      this.log.info({ pending: this.stats.pending, oldestAgeMs: this.stats.oldestAgeMs, deleted }, 'outbox');
    }
    for (const chore of this.chores) if (!this.stopping) await chore();
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    while (this.running) {
      try {
        if (!(await this.ensureLeader())) {
          await this.sleep(this.settings.lockRetryMs, false);
          continue;
        }
        this.woken = false;
        await this.publisher.connect?.();
        const taken = await this.relayOnce();
        this.stats.state = 'publishing';
        backoffMs = 0;
        this.recovered();
        if (this.clock.now().getTime() - this.lastHousekeeping >= this.settings.housekeepingMs) {
          this.lastHousekeeping = this.clock.now().getTime();
          await this.housekeeping();
        }
        if (taken < this.settings.batchSize) await this.sleep(this.settings.pollIntervalMs, true);
      } catch (err) {
        backoffMs = Math.min(this.settings.maxBackoffMs, backoffMs ? backoffMs * 2 : 100);
        this.stats.errors += 1;
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        this.stats.state = isPublishFailure(err) ? 'broker-down' : 'failing';
        this.failed(err, backoffMs);
        await this.sleep(backoffMs, false);
      }
    }
  }

  /**
   * One warning when the relay starts failing (or fails another way), then debug lines only while it retries: a
   * broker that is down for an hour is two lines, not one per back-off. The state is in status() throughout.
   */
  private failed(err: unknown, retryInMs: number): void {
    const state = this.stats.state;
    const error = err instanceof Error ? err.message : String(err);
    if (this.outage && this.outage.state === state) {
      this.outage.failures += 1;
      this.log.debug?.({ err, retryInMs, failures: this.outage.failures }, 'outbox relay still failing; retrying');
      return;
    }
    this.outage = { since: this.outage?.since ?? this.clock.now().getTime(), state, failures: 1 };
    if (state === 'broker-down') {
      // The broker's address and error say it all; the stack would be kafkajs's own, the same every time.
      this.log.warn({ error, retryInMs }, 'broker unreachable: events wait in the outbox; retrying until it is back');
    } else {
      this.log.warn({ err, retryInMs }, 'outbox relay failed; retrying');
    }
  }

  /** Once, when publishing works again after failures. */
  private recovered(): void {
    if (!this.outage) return;
    const { since, state, failures } = this.outage;
    this.outage = undefined;
    const downForMs = this.clock.now().getTime() - since;
    const what = state === 'broker-down' ? 'broker reachable again' : 'outbox relay works again';
    this.log.info({ downForMs, failures }, `${what}: publishing`);
  }

  private async ensureLeader(): Promise<boolean> {
    if (this.leader && !(await this.lock.holds())) {
      this.leader = false;
      this.log.warn({}, 'outbox relay lost its lock; standing by');
    }
    if (!this.leader && (this.leader = await this.lock.acquire())) {
      this.log.info({}, 'outbox relay holds the lock: publishing');
    }
    if (!this.leader) this.stats.state = 'standby';
    return this.leader;
  }

  /** Waits, cut short by stop() and, when `wakeable`, by a commit in this process. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = () => {
        if (wakeable || !this.running) done();
      };
    });
  }
}

/** Errors from the publisher carry this marker so the status can say the broker is the problem. */
export class PublishFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishFailed';
  }
}

function isPublishFailure(err: unknown): boolean {
  return err instanceof PublishFailed;
}
