import { expect } from 'chai';
import request from 'supertest';
import {
  createAdmin,
  credentials,
  expectProblem,
  httpSuite,
  logIn,
  outboxCount,
  outboxTypes,
  PASSWORD,
  register,
  uniqueName,
} from './helpers.js';

describe('every change writes its outbox row', function () {
  const suite = httpSuite();

  it("records a user's life in order: created, logged in, password, role, sessions ended, deleted", async () => {
    const admin = await logIn(suite.app, await createAdmin(suite));
    const user = await register(suite.app);
    expect(await outboxTypes(suite.db, user.id)).to.deep.equal(['user.created']);

    const agent = await logIn(suite.app, user);
    expect(await outboxTypes(suite.db, user.id)).to.deep.equal(['user.created', 'user.logged_in']);

    await agent
      .put(`/users/${user.id}/password`)
      .send({ currentPassword: user.password, newPassword: 'a brand new passphrase' })
      .expect(204);
    expect(await outboxTypes(suite.db, user.id)).to.deep.equal(['user.created', 'user.logged_in', 'user.password_changed']);

    await admin.put(`/users/${user.id}/role`).send({ role: 'admin' }).expect(200);
    expect(await outboxTypes(suite.db, user.id)).to.deep.equal([
      'user.created',
      'user.logged_in',
      'user.password_changed',
      'user.role_changed',
    ]);

    await admin.delete(`/users/${user.id}`).expect(204);
    expect(await outboxTypes(suite.db, user.id)).to.deep.equal([
      'user.created',
      'user.logged_in',
      'user.password_changed',
      'user.role_changed',
      'user.sessions_ended', // the session the user still had
      'user.deleted',
    ]);
  });

  it('writes rows that name the user and carry no secret', async () => {
    const user = await register(suite.app);
    await logIn(suite.app, user);
    const rows = await suite.db('outbox').where({ aggregateid: user.id }).orderBy('seq');
    expect(rows).to.have.length(2);
    for (const row of rows) {
      expect(row.aggregatetype).to.equal('user');
      const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
      expect(payload.userId).to.equal(user.id);
      const text = JSON.stringify(row);
      expect(text).not.to.include(user.password);
      expect(text).not.to.match(/\$2[aby]\$/); // no bcrypt hash
    }
  });

  it('writes nothing for a role change to the role the user already has', async () => {
    const user = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    const before = await outboxCount(suite.db);
    await admin.put(`/users/${user.id}/role`).send({ role: 'user' }).expect(200);
    expect(await outboxCount(suite.db)).to.equal(before);
  });

  it('writes nothing for a refused request (409, 403, 400, 401)', async () => {
    const user = await register(suite.app);
    const other = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const adminAccount = await createAdmin(suite);
    const admin = await logIn(suite.app, adminAccount);
    const anonymous = request(suite.app.callback());
    const before = await outboxCount(suite.db);

    const refusals: [request.Test, number][] = [
      [anonymous.post('/users').send({ username: user.username.toUpperCase(), password: PASSWORD }), 409],
      [anonymous.post('/users').send({ username: uniqueName(), password: PASSWORD, role: 'admin' }), 403],
      [agent.post('/users').send({ username: uniqueName(), password: PASSWORD, role: 'admin' }), 403],
      [anonymous.post('/users').send({ username: uniqueName(), password: 'short' }), 400],
      [anonymous.post('/users').send({ username: uniqueName(), password: PASSWORD, extra: 1 }), 400],
      [anonymous.post('/login').send({ ...credentials(user), password: 'wrong password' }), 401],
      [agent.put(`/users/${user.id}/password`).send({ currentPassword: 'wrong password', newPassword: 'a new long one' }), 403],
      [agent.put(`/users/${user.id}/password`).send({ newPassword: 'a new long one' }), 400],
      [agent.put(`/users/${other.id}/password`).send({ newPassword: 'a new long one' }), 403],
      [agent.put(`/users/${user.id}/role`).send({ role: 'admin' }), 403],
      [admin.put(`/users/${user.id}/role`).send({ role: 'root' }), 400],
      [agent.delete(`/users/${other.id}`), 403],
      [admin.delete(`/users/${adminAccount.id}`), 403],
    ];
    for (const [pending, status] of refusals) expectProblem(await pending, status);
    expect(await outboxCount(suite.db)).to.equal(before);
  });

  it('writes nothing when the last admin is not demoted (409)', async () => {
    // Demote every other admin straight in the database, so this one is the last.
    const adminAccount = await createAdmin(suite);
    await suite.db('users').where({ role: 'admin' }).whereNot({ id: adminAccount.id }).update({ role: 'user' });
    const admin = await logIn(suite.app, adminAccount);
    const before = await outboxCount(suite.db);
    expectProblem(await admin.put(`/users/${adminAccount.id}/role`).send({ role: 'user' }), 409, 'last-admin');
    expect(await outboxCount(suite.db)).to.equal(before);
  });
});
