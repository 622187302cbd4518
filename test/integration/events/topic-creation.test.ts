import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { consume, eventsSuite, insertOutboxRow, outboxRows, uniqueName, untilIds, waitFor, wiredRelay } from './helpers.js';

describe('the relay creates its topic when KAFKA_CREATE_TOPIC=true', function () {
  this.timeout(120_000);
  const suite = eventsSuite();

  beforeEach(function () {
    // Partition counts and replication are Kafka's; the mock broker creates topics its own way.
    if (suite.kafka.kind === 'librdkafka-mock') this.skip();
  });

  async function topicMetadata(topic: string) {
    const admin = new Kafka({ brokers: suite.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!;
    } finally {
      await admin.disconnect();
    }
  }

  async function topicExists(topic: string): Promise<boolean> {
    const admin = new Kafka({ brokers: suite.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).includes(topic);
    } finally {
      await admin.disconnect();
    }
  }

  it('with the configured number of partitions, and publishes to it', async () => {
    const topic = uniqueName('created');
    expect(await topicExists(topic)).to.equal(false);
    const { relay } = wiredRelay(suite, topic, {
      KAFKA_CREATE_TOPIC: 'true',
      KAFKA_TOPIC_PARTITIONS: '5',
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
    });
    const events = [await insertOutboxRow(suite.db), await insertOutboxRow(suite.db)];
    relay.start();

    await waitFor(
      'both events published',
      async () => (await outboxRows(suite.db)).every((r) => r.publishedAt !== null),
      30_000,
      () => relay.status(),
    );
    const metadata = await topicMetadata(topic);
    expect(metadata.partitions).to.have.length(5);
    for (const p of metadata.partitions) expect(p.replicas).to.have.length(1);
    await untilIds(
      await consume(suite, topic),
      events.map((e) => e.id),
    );
  });

  it('leaves an existing topic as it is', async () => {
    const topic = uniqueName('existing');
    await suite.kafka.createTopic(topic, 2);
    const { relay } = wiredRelay(suite, topic, { KAFKA_CREATE_TOPIC: 'true', KAFKA_TOPIC_PARTITIONS: '7' });
    const event = await insertOutboxRow(suite.db);
    relay.start();

    await untilIds(await consume(suite, topic), [event.id]);
    expect((await topicMetadata(topic)).partitions).to.have.length(2);
  });

  it('keeps the events in the outbox, and says why, when the cluster cannot give the replication asked for', async () => {
    const topic = uniqueName('unreplicable');
    const { relay } = wiredRelay(suite, topic, {
      KAFKA_CREATE_TOPIC: 'true',
      KAFKA_TOPIC_REPLICATION_FACTOR: String(suite.kafka.brokers.length + 1),
    });
    await insertOutboxRow(suite.db);
    relay.start();

    await waitFor(
      'a failed attempt',
      () => relay.status().errors >= 1,
      30_000,
      () => relay.status(),
    );
    expect(relay.status().lastError)
      .to.contain(`creating topic ${topic}`)
      .and.match(/replication.factor/i);
    expect((await outboxRows(suite.db)).filter((r) => r.publishedAt === null)).to.have.length(1);
    expect(await topicExists(topic)).to.equal(false);
  });
});
