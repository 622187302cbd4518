// The outbox relay's ports: from the outbox table to the message broker. The in-transaction `Outbox` (its
// `add(event)`) stays in the shared ../ports.ts, since every capability writes events.

/** An outbox row as the relay reads it. */
export interface OutboxRecord {
  seq: number;
  id: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
  /** As stored: usually a JSON string; whether it parses is the publisher's concern. */
  payload: unknown;
  createdAt: Date;
}

/** The relay's view of the outbox table. */
export interface OutboxQueue {
  /** Up to `limit` rows neither published nor parked, in seq order. */
  pending(limit: number): Promise<OutboxRecord[]>;
  markPublished(seqs: number[], at: Date): Promise<void>;
  /** Sets a row aside with the reason it cannot be published; it stays in the table for a person to look at. */
  park(seq: number, error: string, at: Date): Promise<void>;
  /** Deletes up to `limit` rows published before `cutoff`; returns how many. Unpublished rows are never deleted. */
  deletePublishedBefore(cutoff: Date, limit: number): Promise<number>;
  lag(now: Date): Promise<OutboxLag>;
}
export const OutboxQueue = Symbol('OutboxQueue');

/** An outbox row set aside because it cannot be published. */
export interface ParkedOutboxRow {
  seq: number;
  id: string;
  type: string;
  aggregateId: string;
  parkedAt: Date;
  lastError: string | null;
}

/** What the operator is shown of the outbox (`outbox-status`): how far behind, how much done, what was set aside. */
export interface OutboxReport {
  lag(now: Date): Promise<OutboxLag>;
  counts(): Promise<{ published: number; parked: number }>;
  /** The oldest `limit` parked rows. */
  parked(limit: number): Promise<ParkedOutboxRow[]>;
}
export const OutboxReport = Symbol('OutboxReport');

export interface OutboxLag {
  pending: number;
  /** Age of the oldest pending event, null when none is pending. */
  oldestAgeMs: number | null;
}

export interface PublishOutcome {
  /** Rows that could not be turned into messages (nothing of them was sent), with the reason. */
  unpublishable: Array<{ seq: number; error: string }>;
}

/** Sends records to the broker, in the given order, returning once the broker acknowledged all that were sent. */
export interface EventPublisher {
  /** Connects ahead of the first batch, so a broker that cannot be reached shows before any event waits. */
  connect?(): Promise<void>;
  publish(records: OutboxRecord[]): Promise<PublishOutcome>;
  /** Closes the connection to the broker, once nothing more will be published. */
  close(): Promise<void>;
}

/**
 * Makes one relay the publisher among several instances. `acquire()` tries without waiting; `holds()` checks
 * the lock is still ours before each batch (its connection may have died).
 */
export interface RelayLock {
  acquire(): Promise<boolean>;
  holds(): Promise<boolean>;
  release(): Promise<void>;
}

/** Told after a unit of work that wrote outbox events commits, so an in-process relay can wake at once. */
export interface OutboxSignal {
  notify(): void;
}

export const OutboxSignal = Symbol('OutboxSignal');
