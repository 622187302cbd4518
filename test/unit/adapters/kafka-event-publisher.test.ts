import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Kafka, Message, ProducerConfig, RecordMetadata } from 'kafkajs';
import { KafkaEventPublisher } from '../../../src/adapters/messaging/kafka-event-publisher.js';
import type { OutboxRecord } from '../../../src/application/outbox/ports.js';
import { PublishFailed } from '../../../src/application/outbox/relay-outbox.js';

const TOPIC = 'user-events';
const PARTITIONS = 3;

/**
 * kafkajs's client as the publisher uses it, with producers whose send puts each message in the partition the
 * publisher's partitioner picks and answers with the acknowledgements `answer` leaves of those partitions.
 */
function fakeKafka(answer: (partitions: number[]) => number[]) {
  const producers = { created: 0, disconnected: 0 };
  const kafka = {
    producer(config: ProducerConfig) {
      producers.created += 1;
      const partitioner = config.createPartitioner!();
      const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: partitionId + 1,
        replicas: [partitionId + 1],
        isr: [partitionId + 1],
        offlineReplicas: [],
      }));
      return {
        connect: async () => undefined,
        disconnect: async () => void (producers.disconnected += 1),
        async send({ topic, messages }: { topic: string; messages: Message[] }): Promise<RecordMetadata[]> {
          const written = new Set(messages.map((message) => partitioner({ topic, partitionMetadata, message })));
          return answer([...written]).map((partition) => ({ topicName: topic, partition, errorCode: 0, baseOffset: '0' }));
        },
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, producers };
}

let seq = 0;
function record(aggregateId: string): OutboxRecord {
  seq += 1;
  return {
    seq,
    id: randomUUID(),
    aggregateType: 'user',
    aggregateId,
    type: 'user.role_changed',
    payload: JSON.stringify({ userId: aggregateId, from: 'user', to: 'admin', changedBy: aggregateId }),
    createdAt: new Date('2026-12-01T12:00:00Z'),
  };
}

/** Enough users that their keys land in every partition. */
const users = Array.from({ length: 30 }, () => randomUUID());
const batch = () => users.map(record);

describe('KafkaEventPublisher', () => {
  it('takes a send as done when every partition it wrote to acknowledged it', async () => {
    const { kafka } = fakeKafka((partitions) => partitions);
    const publisher = new KafkaEventPublisher(kafka, TOPIC, '/test');
    expect(await publisher.publish(batch())).to.deep.equal({ unpublishable: [] });
  });

  it('fails a send that kafkajs resolved without an acknowledgement from one of its partitions, and starts the next from a fresh producer', async () => {
    // What kafkajs 2.2.4 does when a partition's leader moves mid-send to a broker that has already answered.
    const { kafka, producers } = fakeKafka((partitions) => partitions.filter((p) => p !== 0));
    const publisher = new KafkaEventPublisher(kafka, TOPIC, '/test');
    const failure = await publisher.publish(batch()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(PublishFailed);
    expect((failure as Error).message).to.include('partition 0 of user-events');
    expect(producers.disconnected, 'producer closed').to.equal(1);
    await publisher.publish(batch()).catch(() => undefined);
    expect(producers.created, 'a fresh producer for the next attempt').to.equal(2);
  });
});
