import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import type { EventPublisher, OutboxRecord, PublishOutcome } from '../../application/outbox/ports.js';
import { PublishFailed } from '../../application/outbox/relay-outbox.js';
import { toCloudEvent, Unpublishable } from './cloud-events.js';
import { CLOUDEVENTS_CONTENT_TYPE } from './event-contract.js';
import type { KafkaClient } from './kafka-client.js';

/** The topic the relay creates when it is missing (KAFKA_CREATE_TOPIC); undefined replication: the broker's default. */
export interface TopicSpec {
  partitions: number;
  replicationFactor: number | undefined;
}

/**
 * Sends outbox records as CloudEvents with kafkajs. Acks from all in-sync replicas and one request in flight,
 * so a retried request cannot overtake an earlier one: a user's events keep their order in the partition. The
 * producer is idempotent unless configured otherwise: the broker drops the copies that kafkajs's own retries of
 * a request would write. Given a KafkaClient, kafkajs itself is loaded at the first connection.
 */
export class KafkaEventPublisher implements EventPublisher {
  private producer: Producer | undefined;
  private topicChecked = false;
  /** The partitions the partitioner put the messages of the current send in. */
  private readonly partitionsWritten = new Set<number>();

  private readonly kafka: KafkaClient;

  constructor(
    kafka: Kafka | KafkaClient,
    private readonly topic: string,
    private readonly source: string,
    private readonly options: { idempotent: boolean; createTopic?: TopicSpec | undefined } = { idempotent: true },
  ) {
    this.kafka = typeof kafka === 'function' ? kafka : () => Promise.resolve(kafka);
  }

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
        this.partitionsWritten.clear();
        const acknowledged = await producer.send({ topic: this.topic, acks: -1, messages });
        this.expectEveryPartitionAcknowledged(acknowledged);
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

  /**
   * kafkajs can resolve a send without having written some of its partitions: when a partition's leader moves,
   * during the send, to a broker that already answered for other partitions, its retry skips that broker (it
   * sends again only to brokers without an answer). The rows would be marked published though never written, so
   * a send that lacks an acknowledgement for any partition it wrote to fails instead: the relay sends the batch
   * again from a fresh producer (with fresh metadata), and the partitions that did take it hold repeats.
   */
  private expectEveryPartitionAcknowledged(acknowledged: RecordMetadata[]): void {
    const answered = new Set(acknowledged.filter((m) => m.topicName === this.topic).map((m) => m.partition));
    const missing = [...this.partitionsWritten].filter((p) => !answered.has(p)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    throw new Error(`the send resolved without an acknowledgement for partition ${missing.join(', ')} of ${this.topic}`);
  }

  private toMessage(record: OutboxRecord): Message {
    return {
      key: record.aggregateId,
      value: JSON.stringify(toCloudEvent(record, this.source)),
      headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
    };
  }

  /** Creates the topic once per process when asked to; an existing topic is left as it is. */
  private async ensureTopic(): Promise<void> {
    if (!this.options.createTopic || this.topicChecked) return;
    const { partitions, replicationFactor } = this.options.createTopic;
    const admin = (await this.kafka()).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: this.topic, numPartitions: partitions, ...(replicationFactor ? { replicationFactor } : {}) }],
        waitForLeaders: false, // the producer's own metadata retries wait for the leaders
      });
      this.topicChecked = true;
    } catch (err) {
      // kafkajs says only 'Topic creation errors'; the broker's reasons are in `errors`.
      const reasons = (err as { errors?: Array<{ message?: string }> }).errors?.map((e) => e.message).filter(Boolean);
      if (!reasons?.length) throw err;
      throw new Error(`creating topic ${this.topic}: ${reasons.join('; ')}`, { cause: err });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    await this.ensureTopic();
    const [kafka, { Partitioners }] = await Promise.all([this.kafka(), import('kafkajs')]);
    const producer = kafka.producer({
      maxInFlightRequests: 1,
      idempotent: this.options.idempotent,
      allowAutoTopicCreation: false,
      createPartitioner: () => {
        const partitioner = Partitioners.DefaultPartitioner();
        return (args) => {
          const partition = partitioner(args);
          this.partitionsWritten.add(partition);
          return partition;
        };
      },
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
