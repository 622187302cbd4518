import { expect } from 'chai';
import request from 'supertest';
import { createAdmin, credentials, expectInvalidField, expectProblem, httpSuite, logIn, register, sessionOf, whoAmI } from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('PUT /users/{id}/password', function () {
  const suite = httpSuite();
  const logInStatus = async (username: string, password: string): Promise<number> =>
    (await request(suite.app.callback()).post('/login').send({ username, password })).status;

  it('changes its own password with the right current one: 204, then only the new one logs in', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    await agent.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(204);
    expect(await logInStatus(user.username, NEW_PASSWORD)).to.equal(200);
    expectProblem(await request(suite.app.callback()).post('/login').send(credentials(user)), 401, 'invalid-credentials');
  });

  it('needs currentPassword for its own change: 400 naming it when missing', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    expectInvalidField(await agent.put(`/users/${user.id}/password`).send({ newPassword: NEW_PASSWORD }), 'currentPassword');
    expect(await logInStatus(user.username, user.password)).to.equal(200);
  });

  it('refuses a wrong currentPassword with 403', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const res = await agent.put(`/users/${user.id}/password`).send({ currentPassword: 'not my password', newPassword: NEW_PASSWORD });
    expectProblem(res, 403, 'incorrect-current-password');
    expect(await logInStatus(user.username, user.password)).to.equal(200);
    expect(await logInStatus(user.username, NEW_PASSWORD)).to.equal(401);
  });

  it("refuses a user another user's password with 403", async () => {
    const user = await register(suite.app);
    const victim = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const res = await agent.put(`/users/${victim.id}/password`).send({ currentPassword: victim.password, newPassword: NEW_PASSWORD });
    expectProblem(res, 403, 'forbidden');
    expect(await logInStatus(victim.username, victim.password)).to.equal(200);
  });

  it("ends the user's other sessions and keeps the caller's own", async () => {
    const user = await register(suite.app);
    const caller = await logIn(suite.app, user);
    const otherAgent = await logIn(suite.app, user);
    const otherCookie = await sessionOf(suite.app, user);

    await caller.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(204);

    expectProblem(await otherAgent.get('/users/me'), 401, 'not-authenticated');
    expectProblem(await whoAmI(suite.app, otherCookie), 401, 'not-authenticated');
    expect((await caller.get('/users/me').expect(200)).body.id).to.equal(user.id);
    expect(await suite.db('sessions').where({ userId: user.id })).to.have.length(1);
  });

  it("lets an admin reset another user's password without currentPassword, ending all that user's sessions", async () => {
    const user = await register(suite.app);
    const first = await logIn(suite.app, user);
    const second = await logIn(suite.app, user);
    const admin = await logIn(suite.app, await createAdmin(suite));

    await admin.put(`/users/${user.id}/password`).send({ newPassword: NEW_PASSWORD }).expect(204);

    expectProblem(await first.get('/users/me'), 401, 'not-authenticated');
    expectProblem(await second.get('/users/me'), 401, 'not-authenticated');
    expect(await suite.db('sessions').where({ userId: user.id })).to.be.empty;
    await admin.get('/users/me').expect(200);
    expect(await logInStatus(user.username, NEW_PASSWORD)).to.equal(200);
    expect(await logInStatus(user.username, user.password)).to.equal(401);
  });

  it('answers 404 to an admin for an unknown user', async () => {
    const admin = await logIn(suite.app, await createAdmin(suite));
    expectProblem(
      await admin.put('/users/0190a8f0-0000-7000-8000-000000000000/password').send({ newPassword: NEW_PASSWORD }),
      404,
      'user-not-found',
    );
  });

  it('checks the new password against the policy: 400 naming newPassword', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    for (const newPassword of ['short', 'x'.repeat(73), 'with a \u0000 NUL inside']) {
      const res = await agent.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword });
      expectInvalidField(res, 'newPassword');
    }
    expect(await logInStatus(user.username, user.password)).to.equal(200);
  });
});
