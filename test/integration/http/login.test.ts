import { expect } from 'chai';
import request from 'supertest';
import {
  COOKIE,
  credentials,
  cookieValue,
  expectProblem,
  httpSuite,
  register,
  sessionCookieHeader,
  setCookieLine,
  sha256Hex,
  signCookie,
  uniqueName,
  whoAmI,
} from './helpers.js';

describe('POST /login', function () {
  const suite = httpSuite();

  it('answers 200 with the user, case-insensitively on the name', async () => {
    const user = await register(suite.app, uniqueName('Ada'));
    const res = await request(suite.app.callback())
      .post('/login')
      .send({ username: user.username.toUpperCase(), password: user.password })
      .expect(200);
    expect(res.body).to.deep.equal({ id: user.id, username: user.username.toLowerCase(), role: 'user' });
  });

  it('sets an HttpOnly, SameSite=Lax session cookie that authenticates', async () => {
    const user = await register(suite.app);
    const res = await request(suite.app.callback()).post('/login').send(credentials(user)).expect(200);
    const line = setCookieLine(res);
    expect(line, 'Set-Cookie for the session').to.be.a('string');
    expect(line!.toLowerCase()).to.include('httponly');
    expect(line!.toLowerCase()).to.include('samesite=lax');
    expect(line!.toLowerCase()).not.to.include('secure');
    const me = await whoAmI(suite.app, sessionCookieHeader(res)).expect(200);
    expect(me.body.id).to.equal(user.id);
  });

  it('puts a random value of at least 128 bits in the cookie, and only its sha256 in the sessions table', async () => {
    const user = await register(suite.app);
    const values: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await request(suite.app.callback()).post('/login').send(credentials(user)).expect(200);
      values.push(cookieValue(res)!);
    }
    const [first, second] = values as [string, string];
    expect(first).not.to.equal(second);
    for (const value of values) {
      expect(value).to.match(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(value, 'base64url').length * 8).to.be.at.least(128);
    }
    const rows = await suite.db('sessions').where({ userId: user.id });
    expect(rows.map((r) => r.id).sort()).to.deep.equal(values.map(sha256Hex).sort());
    for (const row of rows) {
      expect(JSON.stringify(row)).not.to.include(first).and.not.to.include(second);
    }
  });

  it('gives the same 401 body for a wrong password and an unknown user', async () => {
    const user = await register(suite.app);
    const client = request(suite.app.callback());
    const wrongPassword = await client.post('/login').send({ username: user.username, password: 'not the password' });
    const unknownUser = await client.post('/login').send({ username: uniqueName('nobody'), password: user.password });
    const malformedName = await client.post('/login').send({ username: '!', password: user.password });
    expectProblem(wrongPassword, 401, 'invalid-credentials');
    expect(unknownUser.status).to.equal(401);
    expect(unknownUser.body).to.deep.equal(wrongPassword.body);
    expect(malformedName.status).to.equal(401);
    expect(malformedName.body).to.deep.equal(wrongPassword.body);
    expect(setCookieLine(wrongPassword)).to.equal(undefined);
  });

  it('replaces a session held before login with a new one, and the old one stops working', async () => {
    const user = await register(suite.app);
    const other = await register(suite.app);
    const agent = request.agent(suite.app.callback());
    const before = await agent.post('/login').send(credentials(user)).expect(200);
    const oldCookie = sessionCookieHeader(before);

    const after = await agent.post('/login').send(credentials(other)).expect(200);
    expect(cookieValue(after)).to.be.a('string').and.not.equal(cookieValue(before));
    expect((await agent.get('/users/me').expect(200)).body.id).to.equal(other.id);
    expectProblem(await whoAmI(suite.app, oldCookie), 401, 'not-authenticated');
    expect(await suite.db('sessions').where({ id: sha256Hex(cookieValue(before)!) })).to.be.empty;
  });

  it('never adopts a session id planted by someone else (fixation)', async () => {
    const user = await register(suite.app);
    // First check the forging recipe against a real cookie, so the planted one below is validly signed.
    const real = await request(suite.app.callback()).post('/login').send(credentials(user)).expect(200);
    expect(signCookie(COOKIE, cookieValue(real)!)).to.equal(cookieValue(real, `${COOKIE}.sig`));

    const planted = 'planted-by-an-attacker-0123456789abcdef';
    const plantedCookie = `${COOKIE}=${planted}; ${COOKIE}.sig=${signCookie(COOKIE, planted)}`;
    const res = await request(suite.app.callback()).post('/login').set('Cookie', plantedCookie).send(credentials(user)).expect(200);
    expect(cookieValue(res)).to.be.a('string').and.not.equal(planted);
    expectProblem(await whoAmI(suite.app, plantedCookie), 401, 'not-authenticated');
    expect(await suite.db('sessions').where({ id: sha256Hex(planted) })).to.be.empty;
    expect(await suite.db('sessions').where({ id: planted })).to.be.empty;
  });
});
