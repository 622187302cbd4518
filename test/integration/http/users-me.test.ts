import { expect } from 'chai';
import request from 'supertest';
import { openApiDocument } from '../../../src/adapters/http/openapi.js';
import { credentials, expectProblem, httpSuite, logIn, register } from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase';

/** `me` names the caller's own account in every /users/{id}/… path. */
describe("/users/me/… for the caller's own account", function () {
  const suite = httpSuite();
  const logInStatus = async (username: string, password: string): Promise<number> =>
    (await request(suite.app.callback()).post('/login').send({ username, password })).status;

  it('PUT /users/me/password changes the own password (current one required), keeping this session', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const missing = await agent.put('/users/me/password').send({ newPassword: NEW_PASSWORD });
    expect(missing.status).to.equal(400); // the own-account rule: the current password is required
    await agent.put('/users/me/password').send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(204);
    expect(await logInStatus(user.username, NEW_PASSWORD)).to.equal(200);
    expectProblem(await request(suite.app.callback()).post('/login').send(credentials(user)), 401, 'invalid-credentials');
    expect((await agent.get('/users/me').expect(200)).body.id).to.equal(user.id);
  });

  it('PUT /users/me/email sets the own address', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const email = `${user.username}@example.com`;
    const res = await agent.put('/users/me/email').send({ email, currentPassword: user.password }).expect(200);
    expect(res.body).to.include({ id: user.id, email, emailVerified: false });
    expect((await agent.get('/users/me').expect(200)).body.email).to.equal(email);
  });

  it('GET and DELETE /users/me/sessions list and end the own sessions', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const other = await logIn(suite.app, user);
    const listed = await agent.get('/users/me/sessions').expect(200);
    expect(listed.body.sessions).to.have.length(2);
    await agent.delete('/users/me/sessions').expect(204);
    await other.get('/users/me').expect(401);
  });

  it('PUT /users/me/role and /users/me/status reach the use case, whose rules answer for the caller', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    expectProblem(await agent.put('/users/me/role').send({ role: 'admin' }), 403);
    expectProblem(await agent.put('/users/me/status').send({ status: 'disabled' }), 403);
  });

  it('answers 401 without a session, not 404', async () => {
    const anonymous = request(suite.app.callback());
    expectProblem(await anonymous.put('/users/me/password').send({ currentPassword: 'x', newPassword: NEW_PASSWORD }), 401);
    expectProblem(await anonymous.put('/users/me/email').send({ email: 'a@example.com', currentPassword: 'x' }), 401);
    expectProblem(await anonymous.get('/users/me/sessions'), 401);
  });

  it('is in the OpenAPI document for every /users/{id}/… operation', () => {
    const paths = (openApiDocument('0.0.0') as { paths: Record<string, Record<string, unknown>> }).paths;
    const perUser = Object.entries(paths).filter(([path]) => path.startsWith('/users/{id}/'));
    expect(perUser.map(([path]) => path)).to.include.members(['/users/{id}/password', '/users/{id}/email']);
    for (const [path, methods] of perUser) {
      const own = paths[path.replace('{id}', 'me')];
      expect(own, path).to.not.equal(undefined);
      expect(Object.keys(own!).sort(), path).to.deep.equal(Object.keys(methods).sort());
    }
  });
});
