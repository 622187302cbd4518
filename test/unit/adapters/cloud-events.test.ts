import { expect } from 'chai';
import { toCloudEvent, Unpublishable } from '../../../src/adapters/messaging/cloud-events.js';
import { cloudEventSchema, USER_EVENT_TYPES, type UserEventType } from '../../../src/adapters/messaging/event-contract.js';
import { KafkaEventPublisher } from '../../../src/adapters/messaging/kafka-event-publisher.js';
import { PublishFailed } from '../../../src/application/outbox/relay-outbox.js';
import { anOutboxRecord, FakeKafka, USER_ID } from '../../relay-fakes.js';

const SOURCE = '/authsvc';
const ADMIN_ID = '00000000-0000-7000-8000-0000000000ad';
const CREATED_AT = new Date('2025-01-01T12:34:56.789Z');

const validPayloads: Record<UserEventType, object> = {
  'user.created': { userId: USER_ID, username: 'ada', role: 'user', createdBy: null, email: null },
  'user.password_changed': { userId: USER_ID, changedBy: USER_ID, reason: 'change' },
  'user.email_changed': { userId: USER_ID, email: 'ada@example.com', previousEmail: null, changedBy: USER_ID },
  'user.email_verified': { userId: USER_ID, email: 'ada@example.com' },
  'user.role_changed': { userId: USER_ID, from: 'user', to: 'admin', changedBy: ADMIN_ID },
  'user.deleted': { userId: USER_ID, username: 'ada', deletedBy: ADMIN_ID },
  'user.logged_in': { userId: USER_ID },
  'user.disabled': { userId: USER_ID, reason: 'left the company', disabledBy: ADMIN_ID },
  'user.enabled': { userId: USER_ID, reason: null, enabledBy: ADMIN_ID },
  'user.mfa_enabled': { userId: USER_ID, method: 'totp' },
  'user.mfa_disabled': { userId: USER_ID, method: 'webauthn' },
  'user.sessions_ended': { userId: USER_ID, sessionIds: ['5f0c7f43-3c8e-4a55-9d0e-2b8e3c1f7a10'], reason: 'logout', endedBy: USER_ID },
};

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('toCloudEvent()', () => {
  it('publishes rows written before email and reason existed with their defaults', () => {
    const created = anOutboxRecord(1, {
      type: 'user.created',
      payload: JSON.stringify({ userId: USER_ID, username: 'ada', role: 'user', createdBy: null }),
    });
    expect(toCloudEvent(created, SOURCE).data).to.deep.equal({
      userId: USER_ID,
      username: 'ada',
      role: 'user',
      createdBy: null,
      email: null,
    });
    const changed = anOutboxRecord(2, { type: 'user.password_changed', payload: JSON.stringify({ userId: USER_ID, changedBy: USER_ID }) });
    expect(toCloudEvent(changed, SOURCE).data).to.deep.equal({ userId: USER_ID, changedBy: USER_ID, reason: 'change' });
  });

  it('maps an outbox record to a CloudEvent 1.0 with the parsed payload as data', () => {
    const record = anOutboxRecord(7, {
      type: 'user.created',
      payload: JSON.stringify(validPayloads['user.created']),
      createdAt: CREATED_AT,
    });

    expect(toCloudEvent(record, SOURCE)).to.deep.equal({
      specversion: '1.0',
      id: record.id,
      source: SOURCE,
      type: 'user.created',
      subject: USER_ID,
      time: '2025-01-01T12:34:56.789Z',
      datacontenttype: 'application/json',
      data: { userId: USER_ID, username: 'ada', role: 'user', createdBy: null, email: null },
    });
  });

  it('accepts a payload that is already an object', () => {
    const record = anOutboxRecord(1, { type: 'user.role_changed', payload: validPayloads['user.role_changed'] });
    expect(toCloudEvent(record, SOURCE).data).to.deep.equal(validPayloads['user.role_changed']);
  });

  for (const type of USER_EVENT_TYPES) {
    it(`produces a ${type} event that validates against its schema`, () => {
      const record = anOutboxRecord(1, { type, payload: JSON.stringify(validPayloads[type]) });
      const checked = cloudEventSchema(type).safeParse(toCloudEvent(record, SOURCE));
      expect(checked.success, checked.error?.message).to.equal(true);
    });
  }

  it('leaves out payload fields the contract does not name', () => {
    const record = anOutboxRecord(1, { payload: JSON.stringify({ userId: USER_ID, passwordHash: 'hashed:secret' }) });
    expect(toCloudEvent(record, SOURCE).data).to.deep.equal({ userId: USER_ID });
  });

  it('refuses an unknown event type', () => {
    const error = refusal(() => toCloudEvent(anOutboxRecord(1, { type: 'user.renamed' }), SOURCE));
    expect(error).to.be.instanceOf(Unpublishable);
    expect((error as Error).message).to.contain('user.renamed');
  });

  it('refuses a payload that is not JSON', () => {
    const error = refusal(() => toCloudEvent(anOutboxRecord(1, { payload: '{"userId": ' }), SOURCE));
    expect(error).to.be.instanceOf(Unpublishable);
    expect((error as Error).message).to.match(/not JSON/);
  });

  it('refuses a payload with a missing field', () => {
    const record = anOutboxRecord(1, { type: 'user.deleted', payload: JSON.stringify({ userId: USER_ID, username: 'ada' }) });
    const error = refusal(() => toCloudEvent(record, SOURCE));
    expect(error).to.be.instanceOf(Unpublishable);
    expect((error as Error).message).to.contain('user.deleted');
  });

  it('refuses a payload with a field of the wrong type', () => {
    const badRole = anOutboxRecord(1, { type: 'user.created', payload: { ...validPayloads['user.created'], role: 'root' } });
    const numericId = anOutboxRecord(2, { type: 'user.logged_in', payload: { userId: 42 } });
    expect(refusal(() => toCloudEvent(badRole, SOURCE))).to.be.instanceOf(Unpublishable);
    expect(refusal(() => toCloudEvent(numericId, SOURCE))).to.be.instanceOf(Unpublishable);
  });
});

describe('KafkaEventPublisher', () => {
  const TOPIC = 'user-events';
  const OTHER_USER = '00000000-0000-7000-8000-0000000000bb';
  let kafka: FakeKafka;
  let publisher: KafkaEventPublisher;

  beforeEach(() => {
    kafka = new FakeKafka();
    publisher = new KafkaEventPublisher(kafka.asKafka(), TOPIC, SOURCE);
  });

  const loggedIn = (seq: number, userId: string) =>
    anOutboxRecord(seq, { aggregateId: userId, payload: JSON.stringify({ userId }), createdAt: CREATED_AT });

  it('sends the batch in one send() with acks from all replicas, keyed by user, in the given order', async () => {
    const records = [loggedIn(1, USER_ID), loggedIn(2, OTHER_USER), loggedIn(3, USER_ID)];

    const outcome = await publisher.publish(records);

    expect(outcome).to.deep.equal({ unpublishable: [] });
    const sent = kafka.sent();
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ topic: TOPIC, acks: -1 });
    const messages = sent[0]!.messages;
    expect(messages.map((m) => m.key)).to.deep.equal([USER_ID, OTHER_USER, USER_ID]);
    expect(messages.map((m) => JSON.parse(String(m.value)).id)).to.deep.equal(records.map((r) => r.id));
    expect(messages.every((m) => JSON.stringify(m.headers) === '{"content-type":"application/cloudevents+json"}')).to.equal(true);
    expect(JSON.parse(String(messages[1]!.value))).to.deep.equal({
      specversion: '1.0',
      id: records[1]!.id,
      source: SOURCE,
      type: 'user.logged_in',
      subject: OTHER_USER,
      time: CREATED_AT.toISOString(),
      datacontenttype: 'application/json',
      data: { userId: OTHER_USER },
    });
  });

  it('reports unpublishable records and sends only the others', async () => {
    const records = [loggedIn(1, USER_ID), anOutboxRecord(2, { type: 'user.renamed' }), loggedIn(3, USER_ID)];

    const outcome = await publisher.publish(records);

    expect(outcome.unpublishable.map((u) => u.seq)).to.deep.equal([2]);
    expect(outcome.unpublishable[0]!.error).to.contain('user.renamed');
    const sentIds = kafka.sent().flatMap((r) => r.messages.map((m) => JSON.parse(String(m.value)).id));
    expect(sentIds).to.deep.equal([records[0]!.id, records[2]!.id]);
  });

  it('sends nothing when no record of the batch can be published', async () => {
    const outcome = await publisher.publish([anOutboxRecord(1, { payload: 'not json' })]);
    expect(outcome.unpublishable.map((u) => u.seq)).to.deep.equal([1]);
    expect(kafka.sent()).to.deep.equal([]);
  });

  it('rejects with PublishFailed when send() fails, and reconnects with a fresh producer on the next publish()', async () => {
    const sendError = new Error('This server is not the leader for that topic-partition');
    kafka.nextSendFailure = sendError;

    const error = await publisher.publish([loggedIn(1, USER_ID)]).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(PublishFailed);
    expect((error as Error).cause).to.equal(sendError);
    expect(kafka.producers).to.have.length(1);
    expect(kafka.producers[0]!.connected).to.equal(false);

    await publisher.publish([loggedIn(1, USER_ID)]);
    expect(kafka.producers).to.have.length(2);
    expect(kafka.producers[1]!.sent).to.have.length(1);
  });

  it('rejects with PublishFailed when the producer cannot connect', async () => {
    kafka.connectFailure = new Error('Connection refused');
    const error = await publisher.publish([loggedIn(1, USER_ID)]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PublishFailed);

    kafka.connectFailure = undefined;
    await publisher.publish([loggedIn(1, USER_ID)]);
    expect(kafka.sent()).to.have.length(1);
  });

  it('creates one idempotent producer, with one request in flight, and keeps it across batches', async () => {
    await publisher.publish([loggedIn(1, USER_ID)]);
    await publisher.publish([loggedIn(2, USER_ID)]);

    expect(kafka.producers).to.have.length(1);
    expect(kafka.producers[0]!.config).to.include({ maxInFlightRequests: 1, idempotent: true, allowAutoTopicCreation: false });
    expect(kafka.producers[0]!.sent).to.have.length(2);
  });

  it('turns idempotence off when configured so (KAFKA_IDEMPOTENT=false)', async () => {
    const plain = new KafkaEventPublisher(kafka.asKafka(), TOPIC, SOURCE, { idempotent: false });
    await plain.publish([loggedIn(1, USER_ID)]);
    expect(kafka.producers[0]!.config).to.include({ maxInFlightRequests: 1, idempotent: false });
  });

  it('creates no topic unless configured to', async () => {
    await publisher.publish([loggedIn(1, USER_ID)]);
    expect(kafka.topicsCreated).to.deep.equal([]);
  });

  it('creates the topic with the configured partitions and replication factor once, before the first send', async () => {
    const creating = new KafkaEventPublisher(kafka.asKafka(), TOPIC, SOURCE, {
      idempotent: true,
      createTopic: { partitions: 6, replicationFactor: 3 },
    });
    await creating.publish([loggedIn(1, USER_ID)]);
    await creating.close();
    await creating.publish([loggedIn(2, USER_ID)]);

    expect(kafka.topicsCreated).to.have.length(1);
    expect(kafka.topicsCreated[0]!.topics).to.deep.equal([{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }]);
    expect(kafka.sent()).to.have.length(2);
  });

  it("leaves the replication factor to the broker's default when none is configured", async () => {
    const creating = new KafkaEventPublisher(kafka.asKafka(), TOPIC, SOURCE, {
      idempotent: true,
      createTopic: { partitions: 3, replicationFactor: undefined },
    });
    await creating.publish([loggedIn(1, USER_ID)]);
    expect(kafka.topicsCreated[0]!.topics).to.deep.equal([{ topic: TOPIC, numPartitions: 3 }]);
  });

  it('rejects with PublishFailed and sends nothing when the topic cannot be created, and tries again next time', async () => {
    const creating = new KafkaEventPublisher(kafka.asKafka(), TOPIC, SOURCE, {
      idempotent: true,
      createTopic: { partitions: 3, replicationFactor: 3 },
    });
    kafka.createTopicsFailure = Object.assign(new Error('Topic creation errors'), {
      errors: [{ message: 'Replication-factor is invalid' }],
    });

    const error = await creating.publish([loggedIn(1, USER_ID)]).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(PublishFailed);
    expect((error as Error).message).to.equal(`Kafka: creating topic ${TOPIC}: Replication-factor is invalid`);
    expect(kafka.sent()).to.deep.equal([]);
    await creating.publish([loggedIn(1, USER_ID)]);
    expect(kafka.topicsCreated).to.have.length(2);
    expect(kafka.sent()).to.have.length(1);
  });

  it('close() disconnects the producer', async () => {
    await publisher.publish([loggedIn(1, USER_ID)]);
    await publisher.close();
    expect(kafka.producers[0]!.connected).to.equal(false);
  });
});
