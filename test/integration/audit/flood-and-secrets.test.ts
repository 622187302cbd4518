import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { createAdmin, logIn, register, sessionCookieHeader, uniqueName } from '../http/helpers.js';
import { auditRows, onEachDatabase } from './helpers.js';

const WRONG = 'not the right password';

onEachDatabase(
  'a flood of failed sign-ins',
  (suite) => {
    it('writes each failure the throttle lets through, and the block once, with its key and end, not each refused attempt', async function () {
      this.timeout(60_000);
      const victim = await register(suite.app);
      const attempt = (client: string) =>
        request(suite.app.callback()).post('/login').set('X-Forwarded-For', client).send({ username: victim.username, password: WRONG });
      const statuses: number[] = [];
      // Rotating addresses (TRUST_PROXY=1): the block is on the account, and is still written once.
      for (let i = 0; i < 60; i += 1) statuses.push((await attempt(`198.51.100.${i}`)).status);
      expect(statuses.filter((s) => s === 401)).to.have.length(3);
      expect(statuses.filter((s) => s === 429)).to.have.length(57);
      const rows = await auditRows(suite.db, victim.id);
      const failures = rows.filter((r) => r.type === 'login');
      const blocks = rows.filter((r) => r.type === 'login.blocked');
      expect(failures.map((r) => [r.outcome, r.details.reason])).to.deep.equal(Array(3).fill(['failure', 'wrong-password']));
      expect(blocks).to.have.length(1);
      expect(blocks[0]).to.include({ outcome: 'failure', actor: 'anonymous', client: '198.51.100.3' });
      expect(blocks[0]!.details).to.include({ reason: 'throttled', username: victim.username, client: '198.51.100.3' });
      const until = Date.parse(String(blocks[0]!.details.until));
      expect(until - Date.now()).to.be.within(1_000, 61_000); // the end of the account's one-minute window
      // Nothing else was written for the 57 refusals.
      expect(await suite.db('audit').where({ type: 'login.blocked' }).count({ n: '*' }).first()).to.deep.include({ n: 1 });
    });
  },
  { LOGIN_LIMITS_ACCOUNT: '3/60', TRUST_PROXY: '1' },
);

onEachDatabase('what the audit trail never holds', (suite) => {
  it('no password, hash, session id or cookie, after every kind of entry', async () => {
    const secrets: string[] = [];
    const password = `Pw-${uniqueName()}-secret`;
    const name = uniqueName();
    await request(suite.app.callback()).post('/users').send({ username: name, password }).expect(201);
    secrets.push(password);
    const adminAccount = await createAdmin(suite);
    const login = await request(suite.app.callback()).post('/login').send({ username: name, password }).expect(200);
    const cookie = sessionCookieHeader(login);
    const sid = /authsvc\.sid=([^;]+)/.exec(cookie)![1]!;
    secrets.push(sid, /authsvc\.sid\.sig=([^;]+)/.exec(cookie)![1]!, createHash('sha256').update(sid).digest('hex'));
    const agent = request.agent(suite.app.callback());
    await agent.post('/login').send({ username: name, password }).expect(200);
    const wrongGuess = `guess-${uniqueName()}`;
    await request(suite.app.callback()).post('/login').send({ username: name, password: wrongGuess }).expect(401);
    await request(suite.app.callback())
      .post('/login')
      .send({ username: `x${uniqueName()}`, password: wrongGuess })
      .expect(401);
    secrets.push(wrongGuess);
    const newPassword = `New-${uniqueName()}-secret`;
    await agent
      .put(`/users/${(await suite.db('users').where({ username: name }).first('id')).id}/password`)
      .send({ currentPassword: password, newPassword })
      .expect(204);
    secrets.push(newPassword);
    const user = await suite.db('users').where({ username: name }).first('id', 'passwordHash');
    secrets.push(user.passwordHash);
    const admin = await logIn(suite.app, adminAccount);
    const resetTo = `Reset-${uniqueName()}-secret`;
    await admin.put(`/users/${user.id}/password`).send({ newPassword: resetTo }).expect(204);
    secrets.push(resetTo, (await suite.db('users').where({ id: user.id }).first('passwordHash')).passwordHash);
    await admin.put(`/users/${user.id}/status`).send({ status: 'disabled', reason: 'testing' }).expect(200);
    await request(suite.app.callback()).post('/login').send({ username: name, password: resetTo }).expect(403);
    await admin.put(`/users/${user.id}/status`).send({ status: 'active' }).expect(200);
    const again = await logIn(suite.app, { username: name, password: resetTo });
    await again.post('/logout').expect(204);
    await admin.delete(`/users/${user.id}`).expect(204);

    const rows = await suite.db('audit').select();
    const types = new Set(rows.map((r: { type: string }) => r.type));
    expect([...types]).to.include.members([
      'user.created',
      'login',
      'password.changed',
      'password.reset',
      'user.disabled',
      'user.enabled',
      'logout',
      'user.deleted',
    ]);
    const text = JSON.stringify(rows);
    for (const secret of secrets) expect(text, 'a secret in the audit table').not.to.include(secret);
    expect(text).not.to.match(/\$2[aby]\$/); // no bcrypt hash of any kind
  });
});
