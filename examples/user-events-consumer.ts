/**
 * Example: consuming `user-events` with kafkajs, processing each event once.
 *
 * The relay delivers at least once: after a crash between sending and marking, events arrive again with the
 * same CloudEvents `id`. A consumer therefore remembers the ids it has handled and skips repeats. In a real
 * service, record the id in the same database transaction as the effect of the event (for example an
 * `INSERT INTO processed_events (id) ...` that fails on a repeat), so that "done" and "remembered" cannot part.
 *
 * Run: KAFKA_BROKERS=localhost:9092 npx tsx examples/user-events-consumer.ts
 * Without a broker yet it says so ("no broker at …, retrying") and waits for one.
 */
import { Kafka, logLevel, type Consumer, type RetryOptions } from 'kafkajs';
import type { UserEvent } from '../src/adapters/messaging/event-contract.js';

/** Remembers which event ids were handled. */
export interface ProcessedEvents {
  /** Returns false when the id was already recorded. */
  record(eventId: string): Promise<boolean>;
  forget(eventId: string): Promise<void>;
}

export class InMemoryProcessedEvents implements ProcessedEvents {
  private readonly ids = new Set<string>();
  async record(eventId: string): Promise<boolean> {
    if (this.ids.has(eventId)) return false;
    this.ids.add(eventId);
    return true;
  }
  async forget(eventId: string): Promise<void> {
    this.ids.delete(eventId);
  }
}

export interface UserEventsConsumerOptions {
  brokers: string[];
  topic?: string;
  groupId: string;
  processed: ProcessedEvents;
  handle: (event: UserEvent) => Promise<void>;
  /** kafkajs's own log lines (default WARN) and connection retries (default kafkajs's). */
  logLevel?: logLevel;
  retry?: RetryOptions;
}

/** Starts a consumer group member that hands each event to `handle` once, in order per user. */
export async function startUserEventsConsumer(options: UserEventsConsumerOptions): Promise<Consumer> {
  const { brokers, topic = 'user-events', groupId, processed, handle, retry } = options;
  const consumer = new Kafka({ brokers, clientId: groupId, logLevel: options.logLevel ?? logLevel.WARN, retry }).consumer({ groupId });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }
  await consumer.run({
    // One message at a time per partition: a user's events (same key, same partition) are handled in order.
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as UserEvent;
      if (!(await processed.record(event.id))) return; // a redelivery: already handled
      try {
        await handle(event);
      } catch (err) {
        await processed.forget(event.id); // not handled after all: let the redelivery through
        throw err; // kafkajs retries the message; its offset is not committed
      }
    },
  });
  return consumer;
}

// Run as a script: print each user event once; wait for the broker while there is none.
if (import.meta.url === `file://${process.argv[1]}`) {
  const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let consumer: Consumer | undefined;
  for (let waitMs = 1000; !consumer; waitMs = Math.min(waitMs * 2, 30_000)) {
    try {
      consumer = await startUserEventsConsumer({
        brokers,
        topic: process.env.KAFKA_TOPIC ?? 'user-events',
        groupId: process.env.KAFKA_GROUP_ID ?? 'user-events-example',
        processed: new InMemoryProcessedEvents(),
        handle: async (event) => console.log(event.time, event.type, event.subject, JSON.stringify(event.data)),
        logLevel: logLevel.NOTHING, // this script says what matters itself, in one line
        retry: { retries: 2, initialRetryTime: 300 },
      });
    } catch (err) {
      if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) throw err; // a fault of this script: its stack helps
      console.error(`no broker at ${brokers.join(',')}, retrying in ${waitMs / 1000} s (${err.message})`);
      await sleep(waitMs);
    }
  }
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    console.error(`consumer stopped: ${payload.error.message}; ${payload.restart ? 'restarting' : 'giving up'}`);
    if (!payload.restart) process.exitCode = 1;
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.disconnect());
}
