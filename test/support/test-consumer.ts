import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { UserEvent } from '../../src/adapters/messaging/event-contract.js';

export interface Received {
  key: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  event: UserEvent;
}

/**
 * Subscribes, trying again for up to `timeoutMs` while a broker answers with a retriable error: right after a
 * topic is made or a partition moves, a broker can still say it does not host the topic, and kafkajs's subscribe
 * reports that at once instead of asking again.
 */
async function subscribeRetrying(consumer: Consumer, topic: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return;
    } catch (err) {
      if ((err as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A real consumer (its own group, from the beginning of the topic) that collects every message it reads. */
export async function collect(
  brokers: string[],
  topic: string,
): Promise<{
  received: Received[];
  until(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  stop(): Promise<void>;
}> {
  const kafka = new Kafka({ brokers, clientId: 'test-consumer', logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `test-${topic}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 50 });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  await consumer.connect();
  await subscribeRetrying(consumer, topic);
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({
        key: message.key!.toString(),
        partition,
        offset: message.offset,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        event: JSON.parse(message.value!.toString()) as UserEvent,
      });
      waiters.forEach((check) => check());
    },
  });
  return {
    received,
    until(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms with ${received.length} messages`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => consumer.disconnect(),
  };
}
