import { expect } from 'chai';
import { createAdmin, expectInvalidField, expectProblem, httpSuite, logIn, register } from './helpers.js';

describe('PUT /users/{id}/role', function () {
  const suite = httpSuite();

  it('lets an admin change a role: 200 with the updated user', async () => {
    const user = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    const res = await admin.put(`/users/${user.id}/role`).send({ role: 'admin' }).expect(200);
    expect(res.body).to.include({ id: user.id, username: user.username, role: 'admin' });
    expect(await suite.db('users').where({ id: user.id }).first('role')).to.deep.equal({ role: 'admin' });
  });

  it('refuses a plain user with 403, its own role included', async () => {
    const user = await register(suite.app);
    const other = await register(suite.app);
    const agent = await logIn(suite.app, user);
    expectProblem(await agent.put(`/users/${user.id}/role`).send({ role: 'admin' }), 403, 'forbidden');
    expectProblem(await agent.put(`/users/${other.id}/role`).send({ role: 'admin' }), 403, 'forbidden');
    expect(await suite.db('users').whereIn('id', [user.id, other.id]).pluck('role')).to.deep.equal(['user', 'user']);
  });

  it('applies a promotion at once to the live session of the promoted user', async () => {
    const user = await register(suite.app);
    const promoted = await logIn(suite.app, user);
    expectProblem(await promoted.get('/users'), 403, 'forbidden');
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.put(`/users/${user.id}/role`).send({ role: 'admin' }).expect(200);
    await promoted.get('/users').expect(200);
  });

  it('applies a demotion at once to the live session of the demoted admin', async () => {
    const demotedAccount = await createAdmin(suite);
    const demoted = await logIn(suite.app, demotedAccount);
    await demoted.get('/users').expect(200);
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.put(`/users/${demotedAccount.id}/role`).send({ role: 'user' }).expect(200);
    expectProblem(await demoted.get('/users'), 403, 'forbidden');
    expect((await demoted.get('/users/me').expect(200)).body.role).to.equal('user');
  });

  it('answers 404 for an unknown user and 400 naming role for an unknown role', async () => {
    const user = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    expectProblem(await admin.put('/users/0190a8f0-0000-7000-8000-000000000000/role').send({ role: 'user' }), 404, 'user-not-found');
    expectInvalidField(await admin.put(`/users/${user.id}/role`).send({ role: 'root' }), 'role');
    expectInvalidField(await admin.put(`/users/${user.id}/role`).send({}), 'role');
  });
});
