import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { Authenticate } from '../../../src/application/sessions/authenticate.js';
import { buildContainer } from '../../../src/config/container.js';
import { wireApp } from '../../../src/config/api.js';
import { testEnv } from '../../support/test-app.js';
import { kafkaFor, type TestKafka } from '../../support/test-kafka.js';
import {
  opsSuite,
  PASSWORD,
  register,
  SESSION_KEYS,
  samplesOf,
  scrape,
  unpublishedCount,
  unreachableDb,
  uniqueName,
  valueOf,
  waitFor,
  wired,
  withRunningRelay,
} from './helpers.js';

describe('GET /metrics', function () {
  const suite = opsSuite();

  it('is Prometheus text with the process default metrics', async () => {
    const { text, samples, contentType } = await scrape(wired(suite.db).app);
    expect(contentType).to.match(/^text\/plain; version=0\.0\.4/);
    expect(text)
      .to.match(/^# HELP http_requests_total /m)
      .and.match(/^# TYPE http_requests_total counter$/m);
    expect(valueOf(samples, 'process_cpu_seconds_total')).to.be.a('number').and.at.least(0);
    expect(samplesOf(samples, 'nodejs_eventloop_lag_seconds')).to.have.length(1);
    expect(text).to.match(/^# TYPE http_request_duration_seconds histogram$/m);
  });

  it('counts requests by route pattern and status, never by raw path', async () => {
    const { app } = wired(suite.db);
    const id = randomUUID();
    const stray = `/no-such-${randomBytes(4).toString('hex')}`;
    await request(app.callback()).get(`/users/${id}`).expect(401);
    await request(app.callback()).get(`/users/${id}`).expect(401);
    await register(app);
    await request(app.callback()).get(stray).expect(404);
    const { text, samples } = await scrape(app);

    expect(valueOf(samples, 'http_requests_total', { method: 'GET', route: '/users/:id', status: '401' })).to.equal(2);
    expect(valueOf(samples, 'http_requests_total', { method: 'POST', route: '/users', status: '201' })).to.equal(1);
    expect(valueOf(samples, 'http_requests_total', { method: 'GET', status: '404' })).to.equal(1);
    expect(text, 'a raw id in a label').not.to.contain(id);
    expect(text, 'a raw unmatched path in a label').not.to.contain(stray);
    for (const s of samplesOf(samples, 'http_requests_total')) expect(s.labels).to.have.all.keys('method', 'route', 'status');
  });

  it('has latency histogram buckets by route and status', async () => {
    const { app } = wired(suite.db);
    await request(app.callback()).get('/health/live').expect(200);
    await request(app.callback()).get('/health/live').expect(200);
    const { samples } = await scrape(app);
    const labels = { method: 'GET', route: '/health/live', status: '200' };
    const buckets = samplesOf(samples, 'http_request_duration_seconds_bucket', labels);
    expect(buckets.map((b) => b.labels.le)).to.include.members(['0.005', '0.1', '1', '+Inf']);
    expect(valueOf(samples, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).to.equal(2);
    expect(valueOf(samples, 'http_request_duration_seconds_count', labels)).to.equal(2);
    expect(valueOf(samples, 'http_request_duration_seconds_sum', labels)).to.be.greaterThan(0);
  });

  it('counts logins by outcome: success, invalid_credentials, throttled', async () => {
    const { app } = wired(suite.db, { LOGIN_LIMITS_ACCOUNT: '3/60' });
    const { username } = await register(app);
    const login = (password: string) => request(app.callback()).post('/login').send({ username, password });
    await login(PASSWORD).expect(200);
    for (let i = 0; i < 3; i += 1) await login('not the password at all').expect(401);
    await login('not the password at all').expect(429);
    await login(PASSWORD).expect(429);
    const { samples } = await scrape(app);
    expect(valueOf(samples, 'auth_logins_total', { outcome: 'success' })).to.equal(1);
    expect(valueOf(samples, 'auth_logins_total', { outcome: 'invalid_credentials' })).to.equal(3);
    expect(valueOf(samples, 'auth_logins_total', { outcome: 'throttled' })).to.equal(2);
  });

  it('counts a login the server failed as error, and a refused body or cross-site request as invalid_request', async () => {
    const env = testEnv();
    const log = createLogger('silent');
    const container = buildContainer(env, suite.db, log);
    container.rebind(Authenticate).toConstantValue({
      execute: () => Promise.reject(new Error('the database went away')),
    } as unknown as Authenticate);
    const app = wireApp(env, container, log, SESSION_KEYS);
    await request(app.callback()).post('/login').send({ username: uniqueName(), password: PASSWORD }).expect(500);
    await request(app.callback()).post('/login').send({ username: uniqueName() }).expect(400);
    // Refused before any route matched: still a login attempt.
    await request(app.callback())
      .post('/login')
      .set('Origin', 'https://elsewhere.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ username: uniqueName(), password: PASSWORD })
      .expect(403);
    const { samples } = await scrape(app);
    expect(valueOf(samples, 'auth_logins_total', { outcome: 'error' })).to.equal(1);
    expect(valueOf(samples, 'auth_logins_total', { outcome: 'invalid_request' })).to.equal(2);
  });

  it('reports the bcrypt queue: above 0 while hashes run, 0 at rest', async () => {
    const { app } = wired(suite.db, { BCRYPT_COST: '12' });
    expect(valueOf((await scrape(app)).samples, 'auth_bcrypt_pending')).to.equal(0);
    let done = 0;
    const registrations = [1, 2, 3].map(() => register(app).then(() => (done += 1)));
    let highest = 0;
    while (done < registrations.length) highest = Math.max(highest, valueOf((await scrape(app)).samples, 'auth_bcrypt_pending') ?? 0);
    await Promise.all(registrations);
    expect(highest, 'bcrypt hashes pending seen during three registrations').to.be.greaterThan(0);
    expect(valueOf((await scrape(app)).samples, 'auth_bcrypt_pending')).to.equal(0);
  });

  it('reports outbox_pending_events equal to the unpublished rows', async () => {
    const { app } = wired(suite.db);
    await register(app);
    const { samples } = await scrape(app);
    const pending = await unpublishedCount(suite.db);
    expect(pending).to.be.at.least(1);
    expect(valueOf(samples, 'outbox_pending_events')).to.equal(pending);
    expect(valueOf(samples, 'outbox_oldest_pending_age_seconds')).to.be.at.least(0);
  });

  it('still answers, with the process metrics, when the database is unreachable', async () => {
    const db = unreachableDb('mysql://root@127.0.0.1:1/x');
    suite.defer(() => db.destroy());
    const { app } = wired(db);
    const started = Date.now();
    const res = await request(app.callback()).get('/metrics');
    expect(Date.now() - started, 'answered within ~3 s').to.be.lessThan(3_000);
    expect(res.status, 'a scrape must not fail with the database: Prometheus would lose every metric').to.equal(200);
    expect(res.text).to.contain('process_cpu_seconds_total').and.contain('http_requests_total');
  });
});

describe('GET /metrics with an in-process relay', function () {
  const suite = opsSuite();
  let kafka: TestKafka;

  before(async function () {
    kafka = await kafkaFor(this);
  });
  after(async () => kafka?.dispose());

  it('counts the events the relay published in outbox_events_published_total', async () => {
    const topic = `ops-metrics-${randomBytes(4).toString('hex')}`;
    await kafka.createTopic(topic, 1);
    const { app, relay } = withRunningRelay(suite, { ...kafka.env, KAFKA_TOPIC: topic });
    const published = async () => valueOf((await scrape(app)).samples, 'outbox_events_published_total') ?? 0;

    await waitFor('the outbox to drain', async () => (await unpublishedCount(suite.db)) === 0);
    const before = await published();
    await register(app, uniqueName());
    await register(app, uniqueName());
    await waitFor('the outbox to drain', async () => (await unpublishedCount(suite.db)) === 0);
    // The relay counts a batch just after the database marks it published: a scrape may land in between.
    await waitFor('the counter to reach the two events', async () => (await published()) >= before + 2, 5_000).catch(() => undefined);
    expect(await published(), 'published_total after two registrations').to.equal(before + 2);
    expect(await published(), 'the same relay counter').to.equal(relay.status().published);
    expect(valueOf((await scrape(app)).samples, 'outbox_pending_events')).to.equal(0);
  });
});
