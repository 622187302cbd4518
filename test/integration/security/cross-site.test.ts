import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testEnv } from '../../support/test-app.js';
import {
  createAdmin,
  credentials,
  expectProblem,
  httpSuite,
  logIn,
  register,
  sessionOf,
  setCookieLine,
  uniqueName,
  type HttpSuite,
} from '../http/helpers.js';

type Headers = Record<string, string>;

/** A state-changing request made with a session cookie, and a way to see whether it took effect. */
interface Action {
  name: string;
  /** Its status when allowed. */
  ok: number;
  /** Prepares fresh accounts; returns the request to send (with extra headers) and a check of its effect. */
  prepare(
    suite: HttpSuite,
    app: Koa,
  ): Promise<{ send(headers: Headers): request.Test; tookEffect(res: request.Response): Promise<boolean> }>;
}

const NEW_PASSWORD = 'a brand new passphrase';
const logInStatus = async (app: Koa, username: string, password: string) =>
  (await request(app.callback()).post('/login').send({ username, password })).status;

const actions: Action[] = [
  {
    name: 'POST /logout',
    ok: 204,
    async prepare(_suite, app) {
      const user = await register(app);
      const cookie = await sessionOf(app, user);
      return {
        send: (h) => request(app.callback()).post('/logout').set('Cookie', cookie).set(h),
        tookEffect: async () => (await request(app.callback()).get('/users/me').set('Cookie', cookie)).status === 401,
      };
    },
  },
  {
    name: 'PUT /users/{id}/password',
    ok: 204,
    async prepare(_suite, app) {
      const user = await register(app);
      const cookie = await sessionOf(app, user);
      return {
        send: (h) =>
          request(app.callback())
            .put(`/users/${user.id}/password`)
            .set('Cookie', cookie)
            .set(h)
            .send({ currentPassword: user.password, newPassword: NEW_PASSWORD }),
        tookEffect: async () => (await logInStatus(app, user.username, NEW_PASSWORD)) === 200,
      };
    },
  },
  {
    name: 'PUT /users/{id}/role',
    ok: 200,
    async prepare(suite, app) {
      const user = await register(app);
      const cookie = await sessionOf(app, await createAdmin(suite));
      return {
        send: (h) => request(app.callback()).put(`/users/${user.id}/role`).set('Cookie', cookie).set(h).send({ role: 'admin' }),
        tookEffect: async () => (await suite.db('users').where({ id: user.id }).first('role')).role === 'admin',
      };
    },
  },
  {
    name: 'DELETE /users/{id}',
    ok: 204,
    async prepare(suite, app) {
      const user = await register(app);
      const cookie = await sessionOf(app, await createAdmin(suite));
      return {
        send: (h) => request(app.callback()).delete(`/users/${user.id}`).set('Cookie', cookie).set(h),
        tookEffect: async () => (await suite.db('users').where({ id: user.id })).length === 0,
      };
    },
  },
  {
    name: 'POST /users (an admin creating an admin)',
    ok: 201,
    async prepare(suite, app) {
      const cookie = await sessionOf(app, await createAdmin(suite));
      const username = uniqueName('planted');
      return {
        send: (h) =>
          request(app.callback())
            .post('/users')
            .set('Cookie', cookie)
            .set(h)
            .send({ username, password: 'planted by another site', role: 'admin' }),
        tookEffect: async () => (await suite.db('users').where({ username })).length === 1,
      };
    },
  },
  {
    name: 'POST /login (login CSRF)',
    ok: 200,
    async prepare(_suite, app) {
      const attacker = await register(app);
      const victimCookie = await sessionOf(app, await register(app));
      return {
        send: (h) => request(app.callback()).post('/login').set('Cookie', victimCookie).set(h).send(credentials(attacker)),
        tookEffect: async (res) => setCookieLine(res) !== undefined,
      };
    },
  },
];

describe('cross-site requests', function () {
  const suite = httpSuite();
  let withFrontEnd: Koa;
  before(() => {
    withFrontEnd = suite.appWith(testEnv({ ALLOWED_ORIGINS: 'https://app.example' }));
  });

  const refused: Array<[string, Headers]> = [
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['Origin: https://evil.example', { Origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed page)', { Origin: 'null' }],
    ['a browser on another site (Origin and Sec-Fetch-Site)', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['an older browser (no Sec-Fetch-Site) on a lookalike host', { Host: 'auth.example', Origin: 'https://auth.example.evil.example' }],
  ];

  /** Sends every action with `headers` through `app`: "<action>: <status>", plus " (took effect)" when it did. */
  async function outcomes(app: () => Koa, headers: Headers): Promise<string[]> {
    const seen: string[] = [];
    for (const action of actions) {
      const { send, tookEffect } = await action.prepare(suite, app());
      const res = await send(headers);
      if (res.status >= 400) expectProblem(res, res.status);
      seen.push(`${action.name}: ${res.status}${(await tookEffect(res)) ? ' (took effect)' : ''}`);
    }
    return seen;
  }
  const everyActionAnswered = (status: string) => actions.map((a) => `${a.name}: ${status}`);

  for (const [label, headers] of refused) {
    it(`refuses every state-changing request with 403, and nothing changes: ${label}`, async () => {
      expect(await outcomes(() => suite.app, headers)).to.deep.equal(everyActionAnswered('403'));
    });
  }

  it('refuses origins not listed in ALLOWED_ORIGINS=https://app.example (another scheme, a lookalike, another site)', async () => {
    for (const origin of ['http://app.example', 'https://app.example.evil.example', 'https://evil.example']) {
      const seen = await outcomes(() => withFrontEnd, { Origin: origin, 'Sec-Fetch-Site': 'cross-site' });
      expect(seen, `Origin: ${origin}`).to.deep.equal(everyActionAnswered('403'));
    }
  });

  const allowed: Array<[string, () => Koa, Headers]> = [
    ['an Origin listed in ALLOWED_ORIGINS', () => withFrontEnd, { Origin: 'https://app.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['same-origin (Sec-Fetch-Site)', () => suite.app, { 'Sec-Fetch-Site': 'same-origin' }],
    [
      'same-origin (Origin matches Host)',
      () => suite.app,
      { Host: 'auth.example', Origin: 'http://auth.example', 'Sec-Fetch-Site': 'same-origin' },
    ],
    // TLS ends at the proxy in front: the browser's Origin says https while the service is reached over http.
    [
      'an older browser (no Sec-Fetch-Site) whose Origin names our own host',
      () => suite.app,
      { Host: 'auth.example', Origin: 'https://auth.example' },
    ],
    ['a URL typed by the user (Sec-Fetch-Site: none)', () => suite.app, { 'Sec-Fetch-Site': 'none' }],
    ['a client that is not a browser (no Origin, no Sec-Fetch-Site)', () => suite.app, {}],
  ];

  for (const [label, app, headers] of allowed) {
    it(`allows every state-changing request: ${label}`, async () => {
      expect(await outcomes(app, headers)).to.deep.equal(actions.map((a) => `${a.name}: ${a.ok} (took effect)`));
    });
  }

  it('never refuses GET, whatever the headers say', async () => {
    const user = await register(suite.app);
    const admin = await createAdmin(suite);
    const userCookie = await sessionOf(suite.app, user);
    const adminCookie = await sessionOf(suite.app, admin);
    const headers = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    await request(suite.app.callback()).get('/users/me').set('Cookie', userCookie).set(headers).expect(200);
    await request(suite.app.callback()).get(`/users/${user.id}`).set('Cookie', userCookie).set(headers).expect(200);
    await request(suite.app.callback()).get('/users').set('Cookie', adminCookie).set(headers).expect(200);
    await request(suite.app.callback()).get('/users/me').set(headers).expect(401);
  });

  describe('form and text bodies on JSON endpoints: 415 (the simple requests a page elsewhere can send)', () => {
    const looksLikeJson = (body: object) => JSON.stringify(body);
    const forms: Array<[string, (t: request.Test, body: Record<string, string>) => request.Test]> = [
      ['application/x-www-form-urlencoded', (t, body) => t.type('form').send(body)],
      ['multipart/form-data', (t, body) => Object.entries(body).reduce((acc, [k, v]) => acc.field(k, v), t)],
      ['text/plain (JSON text in it)', (t, body) => t.set('Content-Type', 'text/plain').send(looksLikeJson(body))],
    ];

    for (const [type, withBody] of forms) {
      it(`${type}: POST /users and POST /login`, async () => {
        const username = uniqueName('form');
        const body = { username, password: 'a perfectly fine password' };
        expectProblem(await withBody(request(suite.app.callback()).post('/users'), body), 415, 'unsupported-media-type');
        expect(await suite.db('users').where({ username })).to.be.empty;

        const user = await register(suite.app);
        const login = await withBody(request(suite.app.callback()).post('/login'), credentials(user));
        expectProblem(login, 415, 'unsupported-media-type');
        expect(setCookieLine(login)).to.equal(undefined);
      });

      it(`${type}: PUT /users/{id}/password and PUT /users/{id}/role`, async () => {
        const user = await register(suite.app);
        const agent = await logIn(suite.app, user);
        const change = await withBody(agent.put(`/users/${user.id}/password`), {
          currentPassword: user.password,
          newPassword: NEW_PASSWORD,
        });
        expectProblem(change, 415, 'unsupported-media-type');
        expect(await logInStatus(suite.app, user.username, user.password)).to.equal(200);

        const admin = await logIn(suite.app, await createAdmin(suite));
        expectProblem(await withBody(admin.put(`/users/${user.id}/role`), { role: 'admin' }), 415, 'unsupported-media-type');
        expect((await suite.db('users').where({ id: user.id }).first('role')).role).to.equal('user');
      });
    }
  });
});
