import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { capturingLogger, opsSuite, PASSWORD, uniqueName, wired } from './helpers.js';

describe('the request log', function () {
  const suite = opsSuite();

  it('writes one JSON line per request with method, route pattern, status, durationMs and reqId', async () => {
    const { log, lines } = capturingLogger();
    const { app } = wired(suite.db, { LOG_LEVEL: 'info' }, {}, log);
    const id = randomUUID();
    const calls = [
      { method: 'post', path: '/users', body: { username: uniqueName(), password: PASSWORD }, route: '/users', status: 201 },
      { method: 'get', path: `/users/${id}`, route: '/users/:id', status: 401 },
      { method: 'get', path: '/no-such-route', route: null, status: 404 },
    ] as const;
    for (const call of calls) {
      const reqId = `ops-${randomUUID()}`;
      const res = await request(app.callback())
        [call.method](call.path)
        .set('X-Request-Id', reqId)
        .send('body' in call ? call.body : undefined);
      expect(res.status, call.path).to.equal(call.status);
      expect(res.headers['x-request-id']).to.equal(reqId);
      const mine = lines.filter((l) => l.reqId === reqId && l.msg === 'request');
      expect(mine, `request lines for ${call.method} ${call.path}`).to.have.length(1);
      expect(mine[0]).to.include({ method: call.method.toUpperCase(), route: call.route, status: call.status });
      expect(mine[0]!.durationMs).to.be.a('number').and.at.least(0);
    }
    expect(JSON.stringify(lines), 'a password in the log').not.to.contain(PASSWORD);
  });

  it('gives a request without X-Request-Id an id of its own, returned and logged', async () => {
    const { log, lines } = capturingLogger();
    const { app } = wired(suite.db, { LOG_LEVEL: 'info' }, {}, log);
    const res = await request(app.callback()).get('/users/me').expect(401);
    const reqId = res.headers['x-request-id'] as string;
    expect(reqId).to.be.a('string').and.have.length.greaterThan(8);
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines).to.have.length(1);
    expect(requestLines[0]).to.include({ reqId, method: 'GET', route: '/users/me', status: 401 });
  });

  it('logs health probes and metric scrapes at debug only: not at info', async () => {
    const probes = ['/health/live', '/health/ready', '/metrics'];
    for (const level of ['info', 'debug'] as const) {
      const { log, lines } = capturingLogger(level);
      const { app } = wired(suite.db, { LOG_LEVEL: level }, {}, log);
      for (const path of probes) await request(app.callback()).get(path);
      await request(app.callback()).get('/users/me').expect(401);
      const logged = lines.filter((l) => l.msg === 'request').map((l) => l.path);
      expect(logged, `at ${level}`).to.deep.equal(level === 'info' ? ['/users/me'] : [...probes, '/users/me']);
    }
  });
});
