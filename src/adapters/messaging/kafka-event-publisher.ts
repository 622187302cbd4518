import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { EventPublisher, OutboxRecord, PublishOutcome } from '../../application/ports.js';
import { PublishFailed } from '../../application/relay-outbox.js';
import { toCloudEvent, Unpublishable } from './cloud-events.js';
import { CLOUDEVENTS_CONTENT_TYPE } from './event-contract.js';

/**
 * Sends outbox records as CloudEvents with kafkajs. Acks from all in-sync replicas and one request in flight,
 * so a retried request cannot overtake an earlier one: a user's events keep their order in the partition.
 */
export class KafkaEventPublisher implements EventPublisher {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly source: string,
  ) {}

  async publish(records: OutboxRecord[]): Promise<PublishOutcome> {
    const messages: Message[] = [];
    const unpublishable: PublishOutcome['unpublishable'] = [];
    for (const record of records) {
      try {
        messages.push(this.toMessage(record));
      } catch (err) {
        if (!(err instanceof Unpublishable)) throw err;
        unpublishable.push({ seq: record.seq, error: err.message });
      }
    }
    if (messages.length) {
      try {
        const producer = await this.connected();
        await producer.send({ topic: this.topic, acks: -1, messages });
      } catch (err) {
        await this.close(); // start the next attempt from a fresh connection
        throw new PublishFailed(`Kafka: ${(err as Error).message}`, { cause: err });
      }
    }
    return { unpublishable };
  }

  async connect(): Promise<void> {
    try {
      await this.connected();
    } catch (err) {
      throw new PublishFailed(`Kafka: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private toMessage(record: OutboxRecord): Message {
    return {
      key: record.aggregateId,
      value: JSON.stringify(toCloudEvent(record, this.source)),
      headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
    };
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      maxInFlightRequests: 1,
      idempotent: false,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Fail fast to the relay, whose own back-off retries forever without reordering.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined); // free what the failed attempt opened
      throw err;
    }
    this.producer = producer;
    return producer;
  }
}
