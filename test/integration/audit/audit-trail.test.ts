import { expect } from 'chai';
import request from 'supertest';
import { createAdmin, expectInvalidField, expectProblem, logIn, register, uniqueName, type Account } from '../http/helpers.js';
import { onEachDatabase } from './helpers.js';

interface Entry {
  id: string;
  at: string;
  type: string;
  outcome: string;
  actor: string;
  subjectId: string | null;
  details: Record<string, unknown>;
}

onEachDatabase('GET /audit and GET /users/me/activity', (suite) => {
  let adminAccount: Account;
  let ada: Account;
  let bob: Account;

  before(async () => {
    adminAccount = await createAdmin(suite);
    ada = await register(suite.app);
    bob = await register(suite.app);
    const admin = await logIn(suite.app, adminAccount);
    const adaAgent = await logIn(suite.app, ada);
    await request(suite.app.callback()).post('/login').send({ username: ada.username, password: 'a wrong password' }).expect(401);
    await adaAgent
      .put(`/users/${ada.id}/password`)
      .send({ currentPassword: ada.password, newPassword: 'a brand new passphrase' })
      .expect(204);
    ada.password = 'a brand new passphrase';
    await admin.put(`/users/${ada.id}/role`).send({ role: 'admin' }).expect(200);
    await admin.put(`/users/${ada.id}/role`).send({ role: 'user' }).expect(200);
    await admin.put(`/users/${bob.id}/password`).send({ newPassword: 'reset by the admin 1' }).expect(204);
    bob.password = 'reset by the admin 1';
    await adaAgent.post('/logout').expect(204);
    await request(suite.app.callback()).post('/login').send({ username: 'nobody-by-this-name', password: 'whatever it is' }).expect(401);
  });

  it('shows admins the trail, newest first, with each kind of entry', async () => {
    const admin = await logIn(suite.app, adminAccount);
    const res = await admin.get('/audit').query({ userId: ada.id }).expect(200);
    const entries = res.body.entries as Entry[];
    expect(entries.map((e) => [e.type, e.outcome, e.details.reason ?? null])).to.deep.equal([
      ['logout', 'success', null],
      ['user.role_changed', 'success', null],
      ['user.role_changed', 'success', null],
      ['password.changed', 'success', null],
      ['login', 'failure', 'wrong-password'],
      ['login', 'success', null],
      ['user.created', 'success', null],
    ]);
    expect(entries[1]).to.include({ actor: adminAccount.id, subjectId: ada.id });
    expect(entries[1]!.details).to.deep.equal({ from: 'admin', to: 'user' });
    expect(res.body.nextCursor).to.equal(null);
    const upper = await admin.get('/audit').query({ userId: ada.id.toUpperCase() }).expect(200);
    expect(upper.body.entries.map((e: Entry) => e.id)).to.deep.equal(entries.map((e) => e.id));
    const reset = (await admin.get('/audit').query({ userId: bob.id, type: 'password.reset' }).expect(200)).body.entries as Entry[];
    expect(reset.map((e) => [e.actor, e.subjectId])).to.deep.equal([[adminAccount.id, bob.id]]);
    const unknown = (await admin.get('/audit').query({ type: 'login' }).expect(200)).body.entries as Entry[];
    expect(unknown.find((e) => e.subjectId === null)?.details).to.deep.equal({ reason: 'unknown-user', username: 'nobody-by-this-name' });
    expect(await suite.db('users').where({ username: 'nobody-by-this-name' }).first()).to.equal(undefined);
  });

  it('pages with limit and after (keyset): every entry once, in order, then nextCursor null', async () => {
    const admin = await logIn(suite.app, adminAccount);
    const all = (await admin.get('/audit').query({ limit: 100 }).expect(200)).body.entries as Entry[];
    expect(all.length).to.be.greaterThan(10);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const res = await admin
        .get('/audit')
        .query({ limit: 3, ...(after && { after }) })
        .expect(200);
      seen.push(...(res.body.entries as Entry[]).map((e) => e.id));
      after = res.body.nextCursor ?? undefined;
      if (!after) break;
    }
    // Entries written meanwhile (this test's own sign-ins) are newer than the first page, so not seen by it.
    expect(seen).to.deep.equal(all.map((e) => e.id).filter((id) => seen.includes(id)));
    expect(seen.length).to.be.at.least(all.length - 1);
    expect(new Set(seen).size).to.equal(seen.length);
    const times = all.map((e) => Date.parse(e.at));
    expect(times).to.deep.equal([...times].sort((a, b) => b - a));
  });

  it('filters by time: since is inclusive, until exclusive', async () => {
    const admin = await logIn(suite.app, adminAccount);
    const mine = (await admin.get('/audit').query({ userId: ada.id }).expect(200)).body.entries as Entry[];
    const created = mine[mine.length - 1]!;
    const logout = mine[0]!;
    const since = (await admin.get('/audit').query({ userId: ada.id, since: logout.at }).expect(200)).body.entries as Entry[];
    expect(since.map((e) => e.id))
      .to.include(logout.id)
      .and.not.include(created.id);
    const until = (await admin.get('/audit').query({ userId: ada.id, until: created.at }).expect(200)).body.entries as Entry[];
    expect(until.map((e) => e.id)).not.to.include(created.id);
    const future = (
      await admin
        .get('/audit')
        .query({ since: new Date(Date.now() + 3_600_000).toISOString() })
        .expect(200)
    ).body;
    expect(future).to.deep.equal({ entries: [], nextCursor: null });
  });

  it('refuses every bad parameter with 400 naming it', async () => {
    const admin = await logIn(suite.app, adminAccount);
    const bad: Array<[Record<string, string>, string]> = [
      [{ limit: '0' }, 'query.limit'],
      [{ limit: '101' }, 'query.limit'],
      [{ limit: 'ten' }, 'query.limit'],
      [{ limit: '1.5' }, 'query.limit'],
      [{ type: 'everything' }, 'query.type'],
      [{ userId: 'ada' }, 'query.userId'],
      [{ after: "1' or '1'='1" }, 'query.after'],
      [{ since: 'yesterday' }, 'query.since'],
      [{ until: '2026-13-01T00:00:00Z' }, 'query.until'],
      [{ user: ada.id }, 'query.user'],
      [{ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'since'],
    ];
    for (const [query, field] of bad) expectInvalidField(await admin.get('/audit').query(query), field);
    expectInvalidField(await admin.get('/audit?type=login&type=logout'), 'query.type');
    const agent = await logIn(suite.app, ada);
    expectInvalidField(await agent.get('/users/me/activity').query({ limit: '0' }), 'query.limit');
    expectInvalidField(await agent.get('/users/me/activity').query({ userId: bob.id }), 'query.userId');
  });

  it('is for admins only: a user gets 403 whatever it asks for, and anonymous 401', async () => {
    const agent = await logIn(suite.app, ada);
    expectProblem(await agent.get('/audit'), 403, 'forbidden');
    expectProblem(await agent.get('/audit').query({ userId: ada.id }), 403, 'forbidden');
    expectProblem(await request(suite.app.callback()).get('/audit'), 401, 'not-authenticated');
    expectProblem(await request(suite.app.callback()).get('/users/me/activity'), 401, 'not-authenticated');
  });

  it("shows each user its own activity only, the admin's changes to it included", async () => {
    const adaEntries = (await (await logIn(suite.app, ada)).get('/users/me/activity').expect(200)).body.entries as Entry[];
    expect(adaEntries.every((e) => e.subjectId === ada.id)).to.equal(true);
    expect(adaEntries.map((e) => e.type)).to.include.members(['login', 'logout', 'password.changed', 'user.role_changed']);
    const bobAgent = await logIn(suite.app, bob);
    const bobEntries = (await bobAgent.get('/users/me/activity').query({ limit: 2 }).expect(200)).body;
    expect(bobEntries.entries.every((e: Entry) => e.subjectId === bob.id)).to.equal(true);
    expect(bobEntries.entries).to.have.length(2);
    expect(bobEntries.nextCursor).to.be.a('string');
    const rest = (await bobAgent.get('/users/me/activity').query({ after: bobEntries.nextCursor }).expect(200)).body.entries as Entry[];
    expect([...bobEntries.entries, ...rest].map((e: Entry) => e.type)).to.deep.equal(['login', 'password.reset', 'user.created']);
    expect(rest.every((e) => e.subjectId === bob.id)).to.equal(true);
  });

  it('records where a request came from: client address, user agent and request id', async () => {
    const name = uniqueName();
    await request(suite.app.callback())
      .post('/users')
      .set('User-Agent', 'audit-test/2.0')
      .set('X-Request-Id', 'req-audit-7')
      .send({ username: name, password: 'correct horse battery' })
      .expect(201);
    const [row] = await suite
      .db('audit')
      .where({ type: 'user.created' })
      .whereRaw('details like ?', [`%${name}%`]);
    expect(row).to.include({ userAgent: 'audit-test/2.0', requestId: 'req-audit-7', actor: 'anonymous' });
    expect(row.client).to.match(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
  });
});
