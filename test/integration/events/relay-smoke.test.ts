import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { OutboxRelay } from '../../../src/application/relay-outbox.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';
import { collect } from '../../support/test-consumer.js';
import { migratedMySql, type TestMySql } from '../../support/test-database.js';
import { testApp, testEnv } from '../../support/test-app.js';

describe('relay smoke', function () {
  let db: Knex, mysql: TestMySql, kafka: TestKafka;
  before(async function () {
    kafka = await kafkaFor(this);
    ({ db, mysql } = await migratedMySql(this));
  });
  after(async () => {
    await db?.destroy();
    await mysql?.dispose();
    await kafka?.dispose();
  });

  it('publishes a registration', async () => {
    await kafka.createTopic('smoke-events', 3);
    const env = testEnv({ KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC: 'smoke-events', DATABASE_URL: mysql.url });
    const { app, container } = testApp(db, env);
    const relay = container.get(OutboxRelay);
    relay.start();
    const consumer = await collect(kafka.brokers, 'smoke-events');
    const t0 = Date.now();
    const res = await request(app.callback()).post('/users').send({ username: 'ada', password: 'correct horse' }).expect(201);
    const got = await consumer.until((r) => r.length >= 1);
    console.log('latency ms', Date.now() - t0, got[0]);
    expect(got[0]!.event.subject).to.equal(res.body.id);
    await consumer.stop();
    await relay.stop();
  });
});
