import { expect } from 'chai';
import { BoundedPasswordHasher } from '../../../src/adapters/crypto/bounded-password-hasher.js';
import { testApp, testEnv } from '../../support/test-app.js';
import { expectProblem, httpSuite, register, uniqueName } from '../http/helpers.js';
import { attempt, sleep, statusCounts } from './helpers.js';

describe('bounded bcrypt work (BCRYPT_MAX_PENDING)', function () {
  this.timeout(30_000);
  const suite = httpSuite();

  it('refuses logins past the cap with 503 busy and Retry-After, never 500, and answers the others normally', async () => {
    // Cost 10 takes tens of milliseconds a hash: long enough for twelve requests to meet.
    const app = suite.appWith(testEnv({ BCRYPT_MAX_PENDING: '2', BCRYPT_COST: '10' }));
    const user = await register(app);
    const right = Array.from({ length: 6 }, () => attempt(app, user.username, user.password));
    const wrong = Array.from({ length: 6 }, () => attempt(app, user.username, 'not the right password'));
    const [rightRes, wrongRes] = await Promise.all([Promise.all(right), Promise.all(wrong)]);
    const all = [...rightRes, ...wrongRes];
    const counts = statusCounts(all);

    expect(counts[500], JSON.stringify(counts)).to.equal(undefined);
    expect(counts[503], `some refused: ${JSON.stringify(counts)}`).to.be.at.least(1);
    for (const res of all.filter((r) => r.status === 503)) {
      expectProblem(res, 503, 'busy');
      expect(res.headers['retry-after'], 'Retry-After').to.match(/^\d+$/);
    }
    // Whatever was not refused got the answer its password deserves.
    for (const res of rightRes) expect([200, 503]).to.include(res.status);
    for (const res of wrongRes) expect([401, 503]).to.include(res.status);
    expect((counts[200] ?? 0) + (counts[401] ?? 0), `some answered: ${JSON.stringify(counts)}`).to.be.at.least(2);
  });

  it('recovers once the burst is over: the slots are given back', async () => {
    const app = suite.appWith(testEnv({ BCRYPT_MAX_PENDING: '2', BCRYPT_COST: '10' }));
    const user = await register(app);
    await Promise.all(Array.from({ length: 12 }, () => attempt(app, user.username, 'not the right password')));
    for (let i = 0; i < 3; i += 1) await attempt(app, user.username, user.password).expect(200);
    await register(app); // hashing a new password works again too
  });

  it('does not keep a refusal of the dummy hash: unknown names get 401 again once the burst is over', async () => {
    // A fresh app (no warm-up): its first unknown-name login computes the dummy hash, here while the cap is reached.
    const env = testEnv({ BCRYPT_MAX_PENDING: '2', BCRYPT_COST: '12' });
    const { app, container } = testApp(suite.db, env);
    const user = await register(app); // at cost 12, so that checking its password takes a while
    const hasher = container.get(BoundedPasswordHasher);
    // `.then` sends each request now (supertest sends on first use), so both checks run while we look.
    const slow = Array.from({ length: 2 }, () => attempt(app, user.username, 'not the right password').then((r) => r));
    const deadline = Date.now() + 5_000;
    while (hasher.depth < 2) {
      expect(Date.now(), 'two password checks under way').to.be.below(deadline);
      await sleep(1);
    }
    expectProblem(await attempt(app, uniqueName('nobody'), 'not the right password'), 503, 'busy');
    await Promise.all(slow);
    expectProblem(await attempt(app, uniqueName('nobody'), 'not the right password'), 401, 'invalid-credentials');
  });
});
