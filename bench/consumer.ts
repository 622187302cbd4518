import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface Arrival {
  /** Date.now() when kafkajs handed the message to us. */
  receivedAt: number;
  id: string;
  type: string;
  subject: string;
  /** CloudEvents `time`: when the change was made, in its transaction. */
  time: number;
}

export interface BenchConsumer {
  arrivals: Arrival[];
  /** Resolves when `predicate` holds, or after `timeoutMs` (then with false). */
  until(predicate: (arrivals: Arrival[]) => boolean, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * A kafkajs consumer in a group of its own, reading from the end of the topic, that records when each event
 * arrives. Resolves once it has joined and fetched, so events produced afterwards are all seen. Short fetch
 * waits: librdkafka's mock broker holds an empty fetch for the whole wait instead of answering when data comes,
 * which would add up to maxWaitTimeInMs to every latency (a real broker answers at once either way).
 */
export async function startConsumer(brokers: string[], topic: string): Promise<BenchConsumer> {
  const kafka = new Kafka({ brokers, clientId: 'authsvc-bench', logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({
    groupId: `authsvc-bench-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 5,
    minBytes: 1,
  });
  const arrivals: Arrival[] = [];
  const waiters = new Set<() => void>();
  let fetched!: () => void;
  const firstFetch = new Promise<void>((resolve) => (fetched = resolve));
  consumer.on(consumer.events.FETCH, () => fetched());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) {
        const event = JSON.parse(message.value!.toString()) as { id: string; type: string; subject: string; time: string };
        arrivals.push({ receivedAt, id: event.id, type: event.type, subject: event.subject, time: Date.parse(event.time) });
      }
      waiters.forEach((check) => check());
    },
  });
  await firstFetch;
  return {
    arrivals,
    until(predicate, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(false);
        }, timeoutMs);
        const check = () => {
          if (!predicate(arrivals)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(true);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => consumer.disconnect(),
  };
}
