import { expect } from 'chai';
import request from 'supertest';
import {
  cookieValue,
  credentials,
  expectProblem,
  httpSuite,
  logIn,
  register,
  sessionCookieHeader,
  sessionOf,
  sha256Hex,
  whoAmI,
} from './helpers.js';

describe('POST /logout', function () {
  const suite = httpSuite();

  it('answers 204, deletes the session row, and a saved copy of the cookie then gets 401', async () => {
    const user = await register(suite.app);
    const agent = request.agent(suite.app.callback());
    const login = await agent.post('/login').send(credentials(user)).expect(200);
    const saved = sessionCookieHeader(login);
    const rowId = sha256Hex(cookieValue(login)!);
    expect(await suite.db('sessions').where({ id: rowId })).to.have.length(1);

    await agent.post('/logout').expect(204);
    expect(await suite.db('sessions').where({ id: rowId })).to.be.empty;
    expectProblem(await whoAmI(suite.app, saved), 401, 'not-authenticated');
    expectProblem(await agent.get('/users/me'), 401, 'not-authenticated');
    expectProblem(await request(suite.app.callback()).post('/logout').set('Cookie', saved), 401, 'not-authenticated');
  });

  it('ends only the session it is called from', async () => {
    const user = await register(suite.app);
    const leaving = await logIn(suite.app, user);
    const staying = await sessionOf(suite.app, user);
    await leaving.post('/logout').expect(204);
    await whoAmI(suite.app, staying).expect(200);
  });

  it('answers 401 without a session', async () => {
    expectProblem(await request(suite.app.callback()).post('/logout'), 401, 'not-authenticated');
  });
});
