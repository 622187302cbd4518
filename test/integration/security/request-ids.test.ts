import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { credentials, httpSuite, register } from '../http/helpers.js';
import { appWithCapturedLogs, failWrites, type CapturedLogs } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', function () {
  const suite = httpSuite();
  let app: Koa;
  let logs: CapturedLogs;
  const c = () => request(app.callback());

  beforeEach(() => {
    ({ app, logs } = appWithCapturedLogs(suite.db));
  });

  /** One of each kind of answer, 500 included. */
  async function variedRequests(): Promise<request.Response[]> {
    const user = await register(app);
    const doomed = await register(app);
    const responses = [
      await c().post('/login').send(credentials(user)),
      await c().get('/users/me'),
      await c().post('/login').send({ username: user.username, password: 'wrong wrong wrong' }),
      await c().post('/login').set('Content-Type', 'application/json').send('{"username":'),
      await c().post('/login').set('Content-Type', 'text/plain').send('x'),
      await c().post('/logout').set('Sec-Fetch-Site', 'cross-site'),
      await c().get('/nowhere'),
      await c().delete('/login'),
      await c().options('/users'),
    ];
    const restore = await failWrites(suite.db, { name: 'request_ids_500', table: 'users', event: 'UPDATE', userId: doomed.id });
    try {
      responses.push(await c().post('/login').send(credentials(doomed)));
    } finally {
      await restore();
    }
    expect(responses.map((r) => r.status)).to.deep.equal([200, 401, 401, 400, 415, 403, 404, 405, 200, 500]);
    return responses;
  }

  it('puts a fresh X-Request-Id on every response, errors and 500s included', async () => {
    const ids = (await variedRequests()).map((r) => r.headers['x-request-id'] as string);
    for (const id of ids) expect(id).to.match(UUID);
    expect(new Set(ids).size, 'all different').to.equal(ids.length);
  });

  it('echoes a well-formed incoming X-Request-Id', async () => {
    const user = await register(app);
    for (const given of ['abc-123', 'edge.proxy:42_7-x', 'A'.repeat(128), '01a20db4-2e92-75ed-af63-c43d6cd5cb43']) {
      const res = await c().post('/login').set('X-Request-Id', given).send(credentials(user)).expect(200);
      expect(res.headers['x-request-id']).to.equal(given);
      expect(
        logs
          .lines()
          .filter((l) => l.reqId === given)
          .map((l) => l.msg),
      ).to.deep.equal(['request']);
    }
  });

  it('replaces a malformed one (too long, spaces, markup, slashes, quotes, non-ASCII) and never logs it', async () => {
    const malformed = ['A'.repeat(129), 'has space', '<script>alert(1)</script>', 'a/b', '"quoted"', 'id;drop table', 'caf\u00e9'];
    for (const given of malformed) {
      const res = await c().get('/users/me').set('X-Request-Id', given);
      const id = res.headers['x-request-id'] as string;
      expect(id, JSON.stringify(given)).to.match(UUID);
      expect(
        logs.lines().filter((l) => l.reqId === id),
        JSON.stringify(given),
      ).to.have.length(1);
    }
    const text = logs.text();
    for (const given of malformed.slice(1)) expect(text, JSON.stringify(given)).not.to.include(given);
    expect(text).not.to.include('A'.repeat(129));
  });

  it("tags every log line of a request with that request's id, the 500's error line included", async () => {
    const responses = await variedRequests();
    const lines = logs.lines();
    for (const line of lines) expect(line.reqId, JSON.stringify(line)).to.be.a('string');

    for (const res of responses) {
      const id = res.headers['x-request-id'] as string;
      const own = lines.filter((l) => l.reqId === id);
      const requestLines = own.filter((l) => l.msg === 'request');
      expect(requestLines, `request line of ${id}`).to.have.length(1);
      expect(requestLines[0]!.status).to.equal(res.status);
      const expected = res.status === 500 ? ['unhandled error', 'request'] : ['request'];
      expect(
        own.map((l) => l.msg),
        `lines of the ${res.status}`,
      ).to.deep.equal(expected);
    }
    // Every line belongs to one of these requests or to the registrations before them.
    const known = new Set(responses.map((r) => r.headers['x-request-id'] as string));
    expect(lines.filter((l) => !known.has(l.reqId!)).map((l) => `${l.msg} ${String(l.route)}`)).to.deep.equal([
      'request /users',
      'request /users',
    ]);
  });
});
