import { expect } from 'chai';
import { createAdmin, expectProblem, httpSuite, logIn, register, sessionOf, whoAmI } from './helpers.js';

describe('DELETE /users/{id}', function () {
  const suite = httpSuite();

  it('lets an admin delete a user: 204, and the account is gone', async () => {
    const user = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.delete(`/users/${user.id}`).expect(204);
    expect(await suite.db('users').where({ id: user.id })).to.be.empty;
    expectProblem(await admin.get(`/users/${user.id}`), 404, 'user-not-found');
  });

  it("ends the deleted user's live sessions at once", async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const cookie = await sessionOf(suite.app, user);
    await agent.get('/users/me').expect(200);
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.delete(`/users/${user.id}`).expect(204);
    expectProblem(await agent.get('/users/me'), 401, 'not-authenticated');
    expectProblem(await whoAmI(suite.app, cookie), 401, 'not-authenticated');
    expect(await suite.db('sessions').where({ userId: user.id })).to.be.empty;
  });

  it('refuses a plain user with 403, whether deleting another account or its own', async () => {
    const user = await register(suite.app);
    const other = await register(suite.app);
    const agent = await logIn(suite.app, user);
    expectProblem(await agent.delete(`/users/${other.id}`), 403, 'forbidden');
    expectProblem(await agent.delete(`/users/${user.id}`), 403, 'forbidden');
    expect(await suite.db('users').whereIn('id', [user.id, other.id])).to.have.length(2);
    await agent.get('/users/me').expect(200);
  });

  it('refuses an admin deleting itself with 403', async () => {
    const adminAccount = await createAdmin(suite);
    await createAdmin(suite); // another admin exists: the refusal is about self-deletion, not the last admin
    const admin = await logIn(suite.app, adminAccount);
    expectProblem(await admin.delete(`/users/${adminAccount.id}`), 403, 'cannot-delete-self');
    expect(await suite.db('users').where({ id: adminAccount.id })).to.have.length(1);
    await admin.get('/users/me').expect(200);
  });

  it('answers 404 for an unknown user', async () => {
    const admin = await logIn(suite.app, await createAdmin(suite));
    expectProblem(await admin.delete('/users/0190a8f0-0000-7000-8000-000000000000'), 404, 'user-not-found');
  });

  it('lets an admin delete another admin', async () => {
    const target = await createAdmin(suite);
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.delete(`/users/${target.id}`).expect(204);
    expect(await suite.db('users').where({ id: target.id })).to.be.empty;
  });
});
