import { expect } from 'chai';
import request from 'supertest';
import { testApp } from '../../support/test-app.js';
import { unmigratedLike } from '../../support/test-database.js';
import { createAdmin, expectProblem, httpSuite, logIn, register, uniqueName } from './helpers.js';

describe('HTTP errors are problem+json', function () {
  const suite = httpSuite();

  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await request(suite.app.callback()).get('/no-such-route'), 404, 'not-found');
    expectProblem(await request(suite.app.callback()).post('/users/me/friends').send({}), 404, 'not-found');
  });

  it('answers a known route with the wrong method with a 405 problem and an Allow header', async () => {
    const admin = await createAdmin(suite);
    const agent = await logIn(suite.app, admin);
    const patchMe = await agent.patch('/users/me').send({ username: 'x' });
    expectProblem(patchMe, 405, 'method-not-allowed');
    expect(patchMe.headers.allow).to.include('GET');

    const getLogin = await request(suite.app.callback()).get('/login');
    expectProblem(getLogin, 405, 'method-not-allowed');
    expect(getLogin.headers.allow).to.include('POST');
  });

  it('types every problem under the configured base with its code', async () => {
    const res = await request(suite.app.callback()).get('/users/me');
    const body = expectProblem(res, 401, 'not-authenticated');
    expect(body.type).to.equal('/problems/not-authenticated');
  });

  it('answers 401 on every protected route without a session', async () => {
    const user = await register(suite.app);
    const anonymous = request(suite.app.callback());
    const calls = [
      anonymous.get('/users/me'),
      anonymous.get('/users'),
      anonymous.get(`/users/${user.id}`),
      anonymous.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword: 'a new long password' }),
      anonymous.put(`/users/${user.id}/role`).send({ role: 'admin' }),
      anonymous.delete(`/users/${user.id}`),
      anonymous.post('/logout'),
    ];
    for (const res of await Promise.all(calls)) {
      expectProblem(res, 401, 'not-authenticated');
    }
    expect(await suite.db('users').where({ id: user.id }).first('role')).to.deep.equal({ role: 'user' });
  });

  it('answers a failure it did not expect with a 500 that shows no internals', async () => {
    // The same wiring over an empty database that was never migrated (of the suite's kind): every query fails
    // inside the driver.
    const unmigrated = await unmigratedLike(suite.db);
    const brokenDb = unmigrated.db;
    try {
      const { app } = testApp(brokenDb);
      const res = await request(app.callback()).post('/users').send({ username: uniqueName(), password: 'a long password' });
      const body = expectProblem(res, 500, 'internal');
      const text = JSON.stringify(body);
      for (const secret of [
        unmigrated.name,
        'ER_',
        "doesn't exist",
        'no such table',
        'SQLITE_',
        'node_modules',
        '.js:',
        '.ts:',
        'insert',
        'knex',
        'mysql',
        'sqlite',
      ]) {
        expect(text.toLowerCase(), `500 body leaks "${secret}"`).not.to.include(secret.toLowerCase());
      }
      expect(body).not.to.have.any.keys('stack', 'errors', 'cause', 'sql');
    } finally {
      await unmigrated.dispose();
    }
  });
});
