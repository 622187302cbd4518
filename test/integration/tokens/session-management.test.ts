import { expect } from 'chai';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import {
  COOKIE,
  PASSWORD,
  credentials,
  expectProblem,
  register,
  sessionCookieHeader,
  setCookieLine,
  uniqueName,
  whoAmI,
} from '../http/helpers.js';
import { bearer, instance, onBothDatabases, sessionsEndedEvents, tokenLogin, type TokenApp } from './helpers.js';

onBothDatabases('sessions users can see and end', (suite) => {
  let svc: TokenApp;
  before(() => {
    svc = instance(suite.db);
  });

  /** A browser's session cookie, logged in with its own user agent and address. */
  async function browser(account: { username: string; password: string }, userAgent: string): Promise<string> {
    const res = await request(svc.app.callback()).post('/login').set('User-Agent', userAgent).send(credentials(account)).expect(200);
    return sessionCookieHeader(res);
  }
  const list = (auth: [string, string]) =>
    request(svc.app.callback())
      .get('/sessions')
      .set(...auth)
      .expect(200);
  const cookie = (value: string): [string, string] => ['Cookie', value];

  it('lists two browsers and a token client, newest first, each marking its own as current', async () => {
    const ada = await register(svc.app);
    const firefox = await browser(ada, 'Firefox/140');
    await browser(ada, 'Safari/18'); // a third session, listed but never used
    const token = await tokenLogin(svc.app, ada, 'ada-cli/2.1');

    const fromFirefox = (await list(cookie(firefox))).body.sessions;
    expect(fromFirefox).to.have.length(3);
    expect(fromFirefox.map((s: { userAgent: string }) => s.userAgent)).to.deep.equal(['ada-cli/2.1', 'Safari/18', 'Firefox/140']);
    expect(fromFirefox.map((s: { type: string }) => s.type)).to.deep.equal(['token', 'cookie', 'cookie']);
    expect(fromFirefox.map((s: { current: boolean }) => s.current)).to.deep.equal([false, false, true]);
    for (const s of fromFirefox) {
      expect(s).to.have.all.keys('id', 'current', 'type', 'createdAt', 'lastSeenAt', 'expiresAt', 'ip', 'userAgent');
      expect(s.id).to.match(/^[0-9a-f-]{36}$/);
      expect(s.ip).to.be.a('string').that.is.not.empty;
      expect(Date.parse(s.expiresAt)).to.be.greaterThan(Date.parse(s.createdAt));
    }
    const fromToken = (await list(bearer(token))).body.sessions;
    expect(fromToken.map((s: { current: boolean }) => s.current)).to.deep.equal([true, false, false]);
    // Never the secret, in any form.
    const text = JSON.stringify(fromFirefox);
    expect(text).not.to.include(token);
    expect(text).not.to.include(firefox.split(';')[0]!.split('=')[1]!);
  });

  it('ends one of the caller’s own sessions by id: that client is logged out at once, the event says which', async () => {
    const ada = await register(svc.app);
    const firefox = await browser(ada, 'Firefox');
    const token = await tokenLogin(svc.app, ada);
    const sessions = (await list(cookie(firefox))).body.sessions;
    const tokenSession = sessions.find((s: { type: string }) => s.type === 'token');

    await request(svc.app.callback()).delete(`/sessions/${tokenSession.id}`).set('Cookie', firefox).expect(204);
    expectProblem(
      await request(svc.app.callback())
        .get('/users/me')
        .set(...bearer(token)),
      401,
      'not-authenticated',
    );
    await whoAmI(svc.app, firefox).expect(200);
    expect(await sessionsEndedEvents(suite.db, ada.id)).to.deep.equal([
      { userId: ada.id, sessionIds: [tokenSession.id], reason: 'ended-by-user', endedBy: ada.id },
    ]);
  });

  it('answers 404 for a session id that is not the caller’s, whether it exists or not, and leaves it alone (no IDOR)', async () => {
    const [ada, bob] = [await register(svc.app), await register(svc.app)];
    const adas = await browser(ada, 'Firefox');
    const bobs = await browser(bob, 'Chrome');
    const bobSession = (await list(cookie(bobs))).body.sessions[0];

    const other = await request(svc.app.callback()).delete(`/sessions/${bobSession.id}`).set('Cookie', adas);
    const unknown = await request(svc.app.callback()).delete('/sessions/0b1c6a8e-7d6f-4c1e-9a55-3f2e1d0c9b8a').set('Cookie', adas);
    expectProblem(other, 404, 'session-not-found');
    expectProblem(unknown, 404, 'session-not-found');
    expect(other.body.detail).to.equal(unknown.body.detail);
    await whoAmI(svc.app, bobs).expect(200);
    // Ada's list shows only her own.
    expect((await list(cookie(adas))).body.sessions.map((s: { id: string }) => s.id)).not.to.include(bobSession.id);
    expect(await sessionsEndedEvents(suite.db, bob.id)).to.deep.equal([]);
    expectProblem(await request(svc.app.callback()).get('/sessions'), 401, 'not-authenticated');
    expectProblem(await request(svc.app.callback()).delete(`/sessions/${bobSession.id}`), 401, 'not-authenticated');
  });

  it('ends all the caller’s other sessions with DELETE /sessions, keeping the current one', async () => {
    const ada = await register(svc.app);
    const [one, two] = [await browser(ada, 'one'), await browser(ada, 'two')];
    const token = await tokenLogin(svc.app, ada);
    const before = (await list(bearer(token))).body.sessions;
    await request(svc.app.callback())
      .delete('/sessions')
      .set(...bearer(token))
      .expect(204);
    expectProblem(await whoAmI(svc.app, one), 401);
    expectProblem(await whoAmI(svc.app, two), 401);
    const after = (await list(bearer(token))).body.sessions;
    expect(after).to.have.length(1);
    expect(after[0].current).to.equal(true);
    const [event] = await sessionsEndedEvents(suite.db, ada.id);
    expect(event).to.deep.include({ userId: ada.id, reason: 'ended-by-user', endedBy: ada.id });
    expect(event!.sessionIds).to.have.members(before.filter((s: { current: boolean }) => !s.current).map((s: { id: string }) => s.id));
  });

  it('lets an admin list and end every session of a user; other users get 403, an unknown user 404', async () => {
    const ada = await register(svc.app);
    const adminName = uniqueName('admin');
    await svc.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    const admin = await browser({ username: adminName, password: PASSWORD }, 'admin-browser');
    const adas = [await browser(ada, 'a'), await browser(ada, 'b')];

    const listed = await request(svc.app.callback()).get(`/users/${ada.id}/sessions`).set('Cookie', admin).expect(200);
    expect(listed.body.sessions).to.have.length(2);
    expect(listed.body.sessions.every((s: { current: boolean }) => !s.current)).to.equal(true);
    const bobs = await browser(await register(svc.app), 'bob');
    expectProblem(await request(svc.app.callback()).get(`/users/${ada.id}/sessions`).set('Cookie', bobs), 403, 'forbidden');
    expectProblem(await request(svc.app.callback()).delete(`/users/${ada.id}/sessions`).set('Cookie', bobs), 403, 'forbidden');
    // Checked before existence: a user learns nothing of other ids.
    expectProblem(
      await request(svc.app.callback()).get('/users/0b1c6a8e-7d6f-4c1e-9a55-3f2e1d0c9b8a/sessions').set('Cookie', bobs),
      403,
      'forbidden',
    );
    // Under their own id, users see their own sessions, as under /sessions.
    await request(svc.app.callback()).get(`/users/${ada.id}/sessions`).set('Cookie', adas[0]!).expect(200);
    const nobody = '0b1c6a8e-7d6f-4c1e-9a55-3f2e1d0c9b8a';
    expectProblem(await request(svc.app.callback()).get(`/users/${nobody}/sessions`).set('Cookie', admin), 404, 'user-not-found');
    expectProblem(await request(svc.app.callback()).delete(`/users/${nobody}/sessions`).set('Cookie', admin), 404, 'user-not-found');

    await request(svc.app.callback()).delete(`/users/${ada.id}/sessions`).set('Cookie', admin).expect(204);
    for (const c of adas) expectProblem(await whoAmI(svc.app, c), 401);
    const [event] = await sessionsEndedEvents(suite.db, ada.id);
    expect(event).to.deep.include({ reason: 'ended-by-admin' });
    expect(event!.sessionIds).to.have.members(listed.body.sessions.map((s: { id: string }) => s.id));
    expect(
      (await request(svc.app.callback()).get(`/users/${ada.id}/sessions`).set('Cookie', admin).expect(200)).body.sessions,
    ).to.deep.equal([]);
  });

  it('ends no session when its event cannot be written: both are in one transaction', async () => {
    const ada = await register(svc.app);
    const [one, two] = [await browser(ada, 'one'), await browser(ada, 'two')];
    const target = (await list(cookie(one))).body.sessions.find((s: { current: boolean }) => !s.current).id;
    await suite.db.schema.renameTable('outbox', 'outbox_away');
    try {
      expect((await request(svc.app.callback()).delete(`/sessions/${target}`).set('Cookie', one)).status).to.equal(500);
      expect((await request(svc.app.callback()).delete('/sessions').set('Cookie', one)).status).to.equal(500);
      expect((await request(svc.app.callback()).post('/logout').set('Cookie', two)).status).to.equal(500);
    } finally {
      await suite.db.schema.renameTable('outbox_away', 'outbox');
    }
    await whoAmI(svc.app, two).expect(200);
    expect((await list(cookie(one))).body.sessions).to.have.length(2);
  });

  it('writes user.sessions_ended on logout, password change and a login over an old session', async () => {
    const ada = await register(svc.app);
    const first = await browser(ada, 'first');
    const firstId = (await list(cookie(first))).body.sessions[0].id;
    // A new login from the same browser replaces its session.
    const again = await request(svc.app.callback()).post('/login').set('Cookie', first).send(credentials(ada)).expect(200);
    const second = sessionCookieHeader(again);
    expectProblem(await whoAmI(svc.app, first), 401);
    const secondId = (await list(cookie(second))).body.sessions[0].id;
    const token = await tokenLogin(svc.app, ada);
    const tokenId = (await list(bearer(token))).body.sessions.find((s: { current: boolean }) => s.current).id;

    await request(svc.app.callback())
      .put(`/users/${ada.id}/password`)
      .set(...bearer(token))
      .send({ currentPassword: PASSWORD, newPassword: 'another long passphrase 42' })
      .expect(204);
    expectProblem(await whoAmI(svc.app, second), 401);
    await request(svc.app.callback())
      .post('/logout')
      .set(...bearer(token))
      .expect(204);
    expectProblem(
      await request(svc.app.callback())
        .get('/users/me')
        .set(...bearer(token)),
      401,
    );

    expect(await sessionsEndedEvents(suite.db, ada.id)).to.deep.equal([
      { userId: ada.id, sessionIds: [firstId], reason: 'login-replaced', endedBy: ada.id },
      { userId: ada.id, sessionIds: [secondId], reason: 'password-changed', endedBy: ada.id },
      { userId: ada.id, sessionIds: [tokenId], reason: 'logout', endedBy: ada.id },
    ]);
  });
});

onBothDatabases('sessions without cookies', (suite) => {
  let svc: TokenApp;
  before(() => {
    svc = instance(suite.db);
  });

  it('answers a token login with the secret once and no session cookie; the bearer works where the cookie does', async () => {
    const ada = await register(svc.app);
    const res = await request(svc.app.callback())
      .post('/login')
      .send({ ...credentials(ada), session: 'token' })
      .expect(200);
    expect(res.body).to.include({ id: ada.id, username: ada.username, role: 'user' });
    expect(res.body.sessionToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookieLine(res, COOKIE)).to.equal(undefined);
    expect(res.headers['cache-control']).to.equal('no-store');
    const token = res.body.sessionToken as string;
    const me = await request(svc.app.callback())
      .get('/users/me')
      .set(...bearer(token))
      .expect(200);
    expect(me.body.id).to.equal(ada.id);
    await request(svc.app.callback())
      .get(`/users/${ada.id}`)
      .set(...bearer(token))
      .expect(200);
    await request(svc.app.callback())
      .post('/token')
      .set(...bearer(token))
      .expect(200);
    // A cookie login does not hand out the secret in the body.
    const cookieLogin = await request(svc.app.callback()).post('/login').send(credentials(ada)).expect(200);
    expect(cookieLogin.body).not.to.have.property('sessionToken');
    expect(setCookieLine(cookieLogin, COOKIE)).to.be.a('string');
  });

  it("refuses a cookie session's secret as a bearer token, and a malformed or unknown bearer, with 401", async () => {
    const ada = await register(svc.app);
    const res = await request(svc.app.callback()).post('/login').send(credentials(ada)).expect(200);
    const cookieSecret = sessionCookieHeader(res).split(';')[0]!.split('=')[1]!;
    for (const header of [`Bearer ${cookieSecret}`, 'Bearer not-a-session', 'Bearer', 'Bearer a b']) {
      expectProblem(await request(svc.app.callback()).get('/users/me').set('Authorization', header), 401, 'not-authenticated');
    }
    // With a bearer header the cookie is ignored: no mixing of credentials.
    const cookie = sessionCookieHeader(res);
    expectProblem(await request(svc.app.callback()).get('/users/me').set('Cookie', cookie).set('Authorization', 'Bearer nope'), 401);
    expect(suite.kind).to.be.oneOf(['MySQL', 'SQLite']);
  });

  it('applies the idle timeout and revocation to token sessions as to cookies', async () => {
    const ada = await register(svc.app);
    const token = await tokenLogin(svc.app, ada);
    await suite
      .db('sessions')
      .where({ type: 'token', userId: ada.id })
      .update({ expiresAt: Date.now() - 1 });
    expectProblem(
      await request(svc.app.callback())
        .get('/users/me')
        .set(...bearer(token)),
      401,
    );
    const again = await tokenLogin(svc.app, ada);
    await request(svc.app.callback())
      .post('/logout')
      .set(...bearer(again))
      .expect(204);
    expectProblem(
      await request(svc.app.callback())
        .get('/users/me')
        .set(...bearer(again)),
      401,
    );
  });

  it('exempts bearer requests from the cross-site check, and still refuses cross-site cookie requests', async () => {
    const ada = await register(svc.app);
    const token = await tokenLogin(svc.app, ada);
    const evil = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    await request(svc.app.callback())
      .post('/token')
      .set(evil)
      .set(...bearer(token))
      .expect(200);
    const res = await request(svc.app.callback()).post('/login').send(credentials(ada)).expect(200);
    expectProblem(await request(svc.app.callback()).post('/token').set(evil).set('Cookie', sessionCookieHeader(res)), 403, 'forbidden');
    expectProblem(await request(svc.app.callback()).post('/logout').set(evil).set('Cookie', sessionCookieHeader(res)), 403, 'forbidden');
  });

  it('accepts the bearer token on every endpoint that accepts the cookie', async () => {
    const adminName = uniqueName('admin');
    await svc.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    const admin = await tokenLogin(svc.app, { username: adminName, password: PASSWORD });
    const ada = await register(svc.app);
    const call = () => request(svc.app.callback());
    await call()
      .get('/users')
      .set(...bearer(admin))
      .expect(200);
    await call()
      .get('/users/me')
      .set(...bearer(admin))
      .expect(200);
    await call()
      .get(`/users/${ada.id}`)
      .set(...bearer(admin))
      .expect(200);
    await call()
      .put(`/users/${ada.id}/role`)
      .set(...bearer(admin))
      .send({ role: 'admin' })
      .expect(200);
    await call()
      .put(`/users/${ada.id}/role`)
      .set(...bearer(admin))
      .send({ role: 'user' })
      .expect(200);
    await call()
      .put(`/users/${ada.id}/password`)
      .set(...bearer(admin))
      .send({ newPassword: 'a reset passphrase 77' })
      .expect(204);
    await call()
      .post('/users')
      .set(...bearer(admin))
      .send({ username: uniqueName(), password: PASSWORD, role: 'admin' })
      .expect(201);
    await call()
      .get('/sessions')
      .set(...bearer(admin))
      .expect(200);
    await call()
      .get(`/users/${ada.id}/sessions`)
      .set(...bearer(admin))
      .expect(200);
    await call()
      .delete(`/users/${ada.id}/sessions`)
      .set(...bearer(admin))
      .expect(204);
    await call()
      .post('/token')
      .set(...bearer(admin))
      .expect(200);
    await call()
      .delete(`/users/${ada.id}`)
      .set(...bearer(admin))
      .expect(204);
    await call()
      .delete('/sessions')
      .set(...bearer(admin))
      .expect(204);
    await call()
      .post('/logout')
      .set(...bearer(admin))
      .expect(204);
    await call()
      .get('/users/me')
      .set(...bearer(admin))
      .expect(401);
  });
});
