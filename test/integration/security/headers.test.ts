import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testEnv } from '../../support/test-app.js';
import { createAdmin, credentials, httpSuite, register, sessionOf, uniqueName } from '../http/helpers.js';
import { failWrites } from './helpers.js';

/** helmet's protections, as a browser reads them. */
function expectSecurityHeaders(res: request.Response, label: string): void {
  const h = res.headers;
  expect(h['x-content-type-options'], `${label}: x-content-type-options`).to.equal('nosniff');
  expect(h['x-frame-options'], `${label}: x-frame-options`).to.match(/^(DENY|SAMEORIGIN)$/);
  expect(h['content-security-policy'], `${label}: content-security-policy`)
    .to.be.a('string')
    .and.match(/default-src/);
  expect(h['content-security-policy'], `${label}: frame-ancestors`).to.match(/frame-ancestors '(none|self)'/);
  expect(h['strict-transport-security'], `${label}: strict-transport-security`).to.match(/max-age=\d{6,}/);
  expect(h['referrer-policy'], `${label}: referrer-policy`).to.equal('no-referrer');
  expect(h['x-powered-by'], `${label}: x-powered-by`).to.equal(undefined);
}

const corsHeaders = (res: request.Response): string[] => Object.keys(res.headers).filter((k) => k.startsWith('access-control-'));

describe('response headers', function () {
  const suite = httpSuite();

  it("puts helmet's headers on every response: success, client errors, 404, 415, 429, 500 and preflights", async () => {
    const user = await register(suite.app);
    const cookie = await sessionOf(suite.app, user);
    const throttled = suite.appWith(testEnv({ LOGIN_LIMITS_ACCOUNT: '1/60' }));
    const c = () => request(suite.app.callback());
    const responses: Array<[string, request.Response]> = [
      [
        'POST /users 201',
        await c()
          .post('/users')
          .send({ username: uniqueName('h'), password: 'a perfectly fine password' }),
      ],
      ['POST /login 200', await c().post('/login').send(credentials(user))],
      ['GET /users/me 200', await c().get('/users/me').set('Cookie', cookie)],
      ['GET /users/me 401', await c().get('/users/me')],
      ['POST /login 401', await c().post('/login').send({ username: user.username, password: 'wrong wrong wrong' })],
      ['POST /login 400 (malformed JSON)', await c().post('/login').set('Content-Type', 'application/json').send('{"username":')],
      ['POST /login 415', await c().post('/login').set('Content-Type', 'text/plain').send('x')],
      ['GET /nowhere 404', await c().get('/nowhere')],
      ['PATCH /users/me 405', await c().patch('/users/me')],
      ['POST /logout 403 (cross-site)', await c().post('/logout').set('Sec-Fetch-Site', 'cross-site')],
      ['OPTIONS /login', await c().options('/login')],
    ];
    await request(throttled.callback()).post('/login').send({ username: user.username, password: 'wrong wrong wrong' });
    responses.push(['POST /login 429', await request(throttled.callback()).post('/login').send(credentials(user))]);
    expect(responses.at(-1)![1].status).to.equal(429);
    const doomed = await register(suite.app);
    const restore = await failWrites(suite.db, { name: 'headers_500', table: 'users', event: 'UPDATE', userId: doomed.id });
    try {
      responses.push(['POST /login 500', await c().post('/login').send(credentials(doomed))]);
    } finally {
      await restore();
    }
    expect(responses.at(-1)![1].status).to.equal(500);
    for (const [label, res] of responses) expectSecurityHeaders(res, label);
  });

  it('sends Cache-Control: no-store on responses with user data, on login, and on errors', async () => {
    const user = await register(suite.app);
    const admin = await createAdmin(suite);
    const userCookie = await sessionOf(suite.app, user);
    const adminCookie = await sessionOf(suite.app, admin);
    const c = () => request(suite.app.callback());
    const responses: Array<[string, request.Response]> = [
      [
        'POST /users',
        await c()
          .post('/users')
          .send({ username: uniqueName('c'), password: 'a perfectly fine password' }),
      ],
      ['POST /login', await c().post('/login').send(credentials(user))],
      ['GET /users/me', await c().get('/users/me').set('Cookie', userCookie)],
      ['GET /users/{id}', await c().get(`/users/${user.id}`).set('Cookie', userCookie)],
      ['GET /users', await c().get('/users').set('Cookie', adminCookie)],
      ['PUT /users/{id}/role', await c().put(`/users/${user.id}/role`).set('Cookie', adminCookie).send({ role: 'user' })],
      ['POST /login 401', await c().post('/login').send({ username: user.username, password: 'wrong wrong wrong' })],
      ['GET /users/me 401', await c().get('/users/me')],
    ];
    for (const [label, res] of responses) {
      expect(res.status, label).to.be.below(500);
      expect(res.headers['cache-control'], label).to.match(/\bno-store\b/);
    }
    expect(responses[1]![1].headers['set-cookie'], 'login sets the cookie on that no-store response').to.exist;
  });

  it('sends no CORS headers without ALLOWED_ORIGINS, not even to a preflight', async () => {
    const user = await register(suite.app);
    const cookie = await sessionOf(suite.app, user);
    const origin = 'https://app.example';
    const preflight = await request(suite.app.callback())
      .options('/users/me')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type');
    const read = await request(suite.app.callback()).get('/users/me').set('Origin', origin).set('Cookie', cookie);
    expect(read.status).to.equal(200);
    expect(corsHeaders(preflight), 'preflight').to.be.empty;
    expect(corsHeaders(read), 'GET').to.be.empty;
  });

  describe('with ALLOWED_ORIGINS=https://app.example', () => {
    let app: Koa;
    before(() => {
      app = suite.appWith(testEnv({ ALLOWED_ORIGINS: 'https://app.example' }));
    });
    const preflight = (origin: string, method = 'POST') =>
      request(app.callback())
        .options('/login')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'content-type');

    it('answers a preflight from that origin with its origin and credentials allowed', async () => {
      const res = await preflight('https://app.example');
      expect(res.status).to.be.within(200, 204);
      expect(res.headers['access-control-allow-origin']).to.equal('https://app.example');
      expect(res.headers['access-control-allow-credentials']).to.equal('true');
      expect(res.headers['access-control-allow-methods']).to.be.a('string').and.include('POST');
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).to.include('content-type');
      expect(res.headers.vary).to.match(/\bOrigin\b/i);
    });

    it('allows that origin to read responses with the session cookie', async () => {
      const user = await register(app);
      const cookie = await sessionOf(app, user);
      const res = await request(app.callback()).get('/users/me').set('Origin', 'https://app.example').set('Cookie', cookie).expect(200);
      expect(res.headers['access-control-allow-origin']).to.equal('https://app.example');
      expect(res.headers['access-control-allow-credentials']).to.equal('true');
    });

    it('gives no CORS headers to any other origin, preflight or not', async () => {
      const user = await register(app);
      const cookie = await sessionOf(app, user);
      for (const origin of ['https://evil.example', 'http://app.example', 'https://app.example.evil.example', 'null']) {
        expect(corsHeaders(await preflight(origin)), `preflight from ${origin}`).to.be.empty;
        const read = await request(app.callback()).get('/users/me').set('Origin', origin).set('Cookie', cookie);
        expect(corsHeaders(read), `GET from ${origin}`).to.be.empty;
        expect(read.headers.vary, 'Vary: Origin, so no cache serves one origin the answer of another').to.match(/\bOrigin\b/i);
      }
    });
  });
});
