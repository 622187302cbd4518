import { expect } from 'chai';
import request from 'supertest';
import { testEnv } from '../../support/test-app.js';
import {
  COOKIE,
  cookieValue,
  credentials,
  expectProblem,
  httpSuite,
  register,
  sessionCookieHeader,
  setCookieLine,
  sha256Hex,
  whoAmI,
} from './helpers.js';

describe('session lifetime and cookie integrity', function () {
  const suite = httpSuite();

  /** Logs in and returns the cookie to replay and the id of its row in the sessions table. */
  async function session(): Promise<{ cookie: string; rowId: string }> {
    const user = await register(suite.app);
    const res = await request(suite.app.callback()).post('/login').send(credentials(user)).expect(200);
    return { cookie: sessionCookieHeader(res), rowId: sha256Hex(cookieValue(res)!) };
  }

  it('pushes the idle deadline forward on use, with at most one write a minute', async () => {
    const { cookie, rowId } = await session();
    const saved = await suite.db('sessions').where({ id: rowId }).first('expiresAt', 'data');
    // Just saved: reading with it moves the deadline by less than the touch interval, so nothing is written.
    await whoAmI(suite.app, cookie).expect(200);
    const unchanged = await suite.db('sessions').where({ id: rowId }).first('expiresAt');
    expect(Number(unchanged.expiresAt)).to.equal(Number(saved.expiresAt));
    // Saved long ago (its deadline is 5 s away): the next use pushes it forward.
    const soon = Date.now() + 5_000;
    const data = { ...JSON.parse(saved.data), _expire: soon };
    await suite
      .db('sessions')
      .where({ id: rowId })
      .update({ expiresAt: soon, data: JSON.stringify(data) });
    await whoAmI(suite.app, cookie).expect(200);
    const row = await suite.db('sessions').where({ id: rowId }).first('expiresAt');
    expect(Number(row.expiresAt)).to.be.greaterThan(soon + 60_000);
  });

  it('ends a session idle past its deadline: 401', async () => {
    const { cookie, rowId } = await session();
    await whoAmI(suite.app, cookie).expect(200);
    await suite
      .db('sessions')
      .where({ id: rowId })
      .update({ expiresAt: Date.now() - 1_000 });
    expectProblem(await whoAmI(suite.app, cookie), 401, 'not-authenticated');
  });

  it('ends a session past its absolute lifetime, however recently used: 401', async () => {
    const { cookie, rowId } = await session();
    await whoAmI(suite.app, cookie).expect(200);
    const deadline = Date.now() - 1_000;
    await suite.db('sessions').where({ id: rowId }).update({ absoluteExpiresAt: deadline });
    expectProblem(await whoAmI(suite.app, cookie), 401, 'not-authenticated');
    // Using it does not bring it back, nor move its absolute deadline (the record stays until the purge).
    expectProblem(await whoAmI(suite.app, cookie), 401, 'not-authenticated');
    const row = await suite.db('sessions').where({ id: rowId }).first('absoluteExpiresAt');
    expect(row, 'the record is still there: only the periodic purge deletes it').to.exist;
    expect(Number(row.absoluteExpiresAt)).to.equal(deadline);
  });

  it('refuses a cookie whose signature was tampered with: 401', async () => {
    const { cookie } = await session();
    await whoAmI(suite.app, cookie).expect(200);
    const tampered = cookie.replace(/(\.sig=)(.)/, (_, prefix: string, first: string) => `${prefix}${first === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.to.equal(cookie);
    expectProblem(await whoAmI(suite.app, tampered), 401, 'not-authenticated');
    const unsigned = cookie.split('; ')[0]!;
    expectProblem(await whoAmI(suite.app, unsigned), 401, 'not-authenticated');
  });

  it('refuses a session value that does not match its signature: 401', async () => {
    const first = await session();
    const second = await session();
    const [value] = second.cookie.split('; ');
    const [, sig] = first.cookie.split('; ');
    expectProblem(await whoAmI(suite.app, `${value}; ${sig}`), 401, 'not-authenticated');
  });

  it('marks the cookie Secure when SESSION_COOKIE_SECURE is true', async () => {
    const app = suite.appWith(testEnv({ SESSION_COOKIE_SECURE: 'true' }));
    const user = await register(app);
    const res = await request(app.callback()).post('/login').send(credentials(user)).expect(200);
    const line = setCookieLine(res, COOKIE);
    expect(line, 'Set-Cookie for the session').to.be.a('string');
    expect(line!.toLowerCase().split(/;\s*/)).to.include('secure');
    expect(setCookieLine(res, `${COOKIE}.sig`)!.toLowerCase().split(/;\s*/)).to.include('secure');
  });
});
