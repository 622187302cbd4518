import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testApp, testEnv } from '../../support/test-app.js';
import { expectProblem, httpSuite, logIn, register, uniqueName } from '../http/helpers.js';
import { anotherPool, attempt, counterKeys, expectThrottled, forgetAttempts, sleep, statusCounts } from './helpers.js';

const WRONG = 'not the right password';

describe('login throttling', function () {
  this.timeout(30_000);
  const suite = httpSuite();
  /** The production wiring with its own limits, e.g. `{ LOGIN_LIMITS_ACCOUNT: '3/60' }`. */
  const appWith = (overrides: Record<string, string>): Koa => suite.appWith(testEnv(overrides));

  beforeEach(() => forgetAttempts(suite.db));

  describe('per account', () => {
    it('locks the account whatever address the guesses come from (X-Forwarded-For rotated, TRUST_PROXY=1)', async () => {
      const app = appWith({ TRUST_PROXY: '1', LOGIN_LIMITS_ACCOUNT: '3/60' });
      const user = await register(app);
      for (let i = 1; i <= 3; i += 1) {
        expectProblem(await attempt(app, user.username, WRONG, `198.51.100.${i}`), 401, 'invalid-credentials');
      }
      expect(expectThrottled(await attempt(app, user.username, WRONG, '198.51.100.4'))).to.be.at.most(60);
      // The right password from yet another address is refused too: the lock is on the account.
      expectThrottled(await attempt(app, user.username, user.password, '198.51.100.5'));
      // The addresses were each counted separately, so the lock cannot have come from a per-client limit; the two
      // refused attempts were refused before anything was counted, so their addresses have no counter at all.
      const keys = await counterKeys(suite.db);
      expect(keys).to.include(`account:${user.username}`);
      expect(keys.filter((k) => k.startsWith('client:198.51.100.')).sort()).to.deep.equal([1, 2, 3].map((i) => `client:198.51.100.${i}`));
    });

    it('counts guesses at unknown and malformed names as well, case-insensitively', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '2/60' });
      const name = uniqueName('ghost');
      expectProblem(await attempt(app, name, WRONG), 401, 'invalid-credentials');
      expectProblem(await attempt(app, name.toUpperCase(), WRONG), 401, 'invalid-credentials');
      expectThrottled(await attempt(app, ` ${name} `, WRONG));
      expectProblem(await attempt(app, 'No Such Name!', WRONG), 401, 'invalid-credentials');
      expectProblem(await attempt(app, 'no such name!', WRONG), 401, 'invalid-credentials');
      expectThrottled(await attempt(app, 'NO SUCH NAME!', WRONG));
    });

    it('answers 429 with a Retry-After in seconds, and the waits grow window by window (3/2, then 5/60)', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '3/2,5/60' });
      const user = await register(app);
      // Three at once, so that they surely fall in one 2-second window however slow the machine.
      const quick = await Promise.all([1, 2, 3].map(() => attempt(app, user.username, WRONG)));
      for (const res of quick) expectProblem(res, 401, 'invalid-credentials');
      const shortWait = expectThrottled(await attempt(app, user.username, WRONG));
      expect(shortWait).to.be.at.most(2);

      await sleep(shortWait * 1000 + 250);
      // The 2-second window is over: two more guesses reach the password check, the 4th and 5th failures of the
      // minute (the refusal did not count).
      expectProblem(await attempt(app, user.username, WRONG), 401, 'invalid-credentials');
      expectProblem(await attempt(app, user.username, WRONG), 401, 'invalid-credentials');
      const longWait = expectThrottled(await attempt(app, user.username, WRONG));
      expect(longWait).to.be.greaterThan(2).and.at.most(60);
    });

    it("clears the account's count after a successful login", async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '3/60' });
      const user = await register(app);
      for (let i = 0; i < 2; i += 1) expectProblem(await attempt(app, user.username, WRONG), 401);
      await attempt(app, user.username, user.password).expect(200);
      // Without the reset the third of these would be the 6th attempt in the window.
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(app, user.username, WRONG), 401, 'invalid-credentials');
      expectThrottled(await attempt(app, user.username, WRONG));
    });

    it('counts a wrong currentPassword on PUT /users/{id}/password as a failed login of that account', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '3/60' });
      const user = await register(app);
      const agent = await logIn(app, user);
      const change = () => agent.put(`/users/${user.id}/password`).send({ currentPassword: WRONG, newPassword: 'a brand new passphrase' });
      for (let i = 0; i < 3; i += 1) expectProblem(await change(), 403, 'incorrect-current-password');
      expectThrottled(await change());
      // The same counter guards POST /login: the right password no longer gets in.
      expectThrottled(await attempt(app, user.username, user.password));
    });
  });

  describe('per client address', () => {
    it('stops password spraying: many accounts, one address (TRUST_PROXY=1)', async () => {
      const app = appWith({ TRUST_PROXY: '1', LOGIN_LIMITS_CLIENT: '4/60' });
      const victim = await register(app);
      const sprayer = '203.0.113.66';
      for (let i = 0; i < 4; i += 1) {
        expectProblem(await attempt(app, uniqueName('sprayed'), 'Summer2024!', sprayer), 401, 'invalid-credentials');
      }
      expectThrottled(await attempt(app, uniqueName('sprayed'), 'Summer2024!', sprayer));
      expectThrottled(await attempt(app, victim.username, victim.password, sprayer));
      // The accounts themselves are not locked: the victim logs in from its own address.
      await attempt(app, victim.username, victim.password, '203.0.113.67').expect(200);
    });
  });

  describe('parallel bursts', () => {
    it('lets at most 5 of 30 simultaneous wrong guesses reach the password check (limit 5)', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '5/60' });
      const user = await register(app);
      const responses = await Promise.all(Array.from({ length: 30 }, () => attempt(app, user.username, WRONG)));
      const counts = statusCounts(responses);
      expect(Object.keys(counts).map(Number).sort(), JSON.stringify(counts)).to.deep.equal([401, 429]);
      expect(counts[401]).to.be.at.most(5);
      for (const res of responses.filter((r) => r.status === 429)) expectThrottled(res);
    });

    it('lets at most 5 of 30 simultaneous logins with the right password succeed (limit 5)', async () => {
      // A slower hash (cost 8) keeps every attempt in flight while the first ones are checked.
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '5/60', BCRYPT_COST: '8' });
      const user = await register(app);
      const responses = await Promise.all(Array.from({ length: 30 }, () => attempt(app, user.username, user.password)));
      const counts = statusCounts(responses);
      expect(Object.keys(counts).map(Number).sort(), JSON.stringify(counts)).to.deep.equal([200, 429]);
      expect(counts[200], JSON.stringify(counts)).to.be.at.most(5);
    });
  });

  describe('counters in the database', () => {
    it('keeps all windows of a key in one login_throttle row', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '5/60,20/900' });
      const user = await register(app);
      for (let i = 0; i < 2; i += 1) await attempt(app, user.username, WRONG).expect(401);
      const rows = await suite.db('login_throttle').where('subject', `account:${user.username}`);
      expect(rows).to.have.length(1);
      const [row] = rows;
      expect([Number(row.c0), Number(row.c1)]).to.deep.equal([2, 2]);
      expect(Number(row.r0)).to.be.within(Date.now(), Date.now() + 60_000);
      expect(Number(row.r1)).to.be.within(Date.now() + 60_000, Date.now() + 900_000);
    });

    it('shares one limit between two instances of the service, each with its own connection pool', async () => {
      const env = testEnv({ LOGIN_LIMITS_ACCOUNT: '4/60' });
      const otherDb = anotherPool(suite.db);
      try {
        const first = testApp(suite.db, env).app;
        const second = testApp(otherDb, env).app;
        const user = await register(first);
        for (const app of [first, second, first, second]) expectProblem(await attempt(app, user.username, WRONG), 401);
        expectThrottled(await attempt(first, user.username, WRONG));
        expectThrottled(await attempt(second, user.username, user.password));
      } finally {
        await otherDb.destroy();
      }
    });

    it('shares the per-client count between instances too', async () => {
      const env = testEnv({ LOGIN_LIMITS_CLIENT: '2/60' });
      const otherDb = anotherPool(suite.db);
      try {
        const first = testApp(suite.db, env).app;
        const second = testApp(otherDb, env).app;
        expectProblem(await attempt(first, uniqueName('a'), WRONG), 401);
        expectProblem(await attempt(second, uniqueName('b'), WRONG), 401);
        expectThrottled(await attempt(first, uniqueName('c'), WRONG));
        expectThrottled(
          await request(second.callback())
            .post('/login')
            .send({ username: uniqueName('d'), password: WRONG }),
        );
      } finally {
        await otherDb.destroy();
      }
    });
  });
});
