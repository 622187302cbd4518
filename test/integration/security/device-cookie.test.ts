import { expect } from 'chai';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { testApp, testEnv } from '../../support/test-app.js';
import { databaseSuite, EACH_DATABASE } from '../../support/database-suite.js';
import { expectProblem, register } from '../http/helpers.js';
import { attempt, expectThrottled, forgetAttempts } from './helpers.js';

const WRONG = 'not the right password';
const DEVICE = 'authsvc.device';

/** The device cookie (and its signature cookie) a response set, as a Cookie header. */
function deviceCookieOf(res: request.Response): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const mine = set.filter((c) => c.startsWith(`${DEVICE}=`) || c.startsWith(`${DEVICE}.sig=`));
  expect(mine, set.join('\n')).to.have.length(2);
  for (const c of mine)
    expect(c)
      .to.match(/; path=\/login;/i)
      .and.match(/httponly/i)
      .and.match(/samesite=strict/i);
  return mine.map((c) => c.split(';')[0]).join('; ');
}

for (const [name, open] of EACH_DATABASE) {
  describe(`lockout without denial of service: the device cookie (${name})`, function () {
    this.timeout(60_000);
    let db: Knex;
    databaseSuite(open, (given) => void (db = given));
    beforeEach(() => forgetAttempts(db));

    const appWith = (): Koa => testApp(db, testEnv({ TRUST_PROXY: '1', LOGIN_LIMITS_ACCOUNT: '3/600' })).app;

    it('lets a browser that signed in before keep signing in while the account is locked for everyone else', async () => {
      const app = appWith();
      const user = await register(app);
      const device = deviceCookieOf(await attempt(app, user.username, user.password, '198.51.100.1').expect(200));
      // It outlives logout: that is its point.
      const agent = request.agent(app.callback());
      await agent
        .post('/login')
        .set('X-Forwarded-For', '198.51.100.1')
        .send({ username: user.username, password: user.password })
        .expect(200);
      await agent.post('/logout').set('X-Forwarded-For', '198.51.100.1').expect(204);

      // Someone else guesses until the account is locked.
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(app, user.username, WRONG, '203.0.113.9'), 401, 'invalid-credentials');
      expectThrottled(await attempt(app, user.username, user.password, '203.0.113.9'));
      // An unknown device is locked out too, even with the right password.
      expectThrottled(await attempt(app, user.username, user.password, '198.51.100.2'));
      // The owner's browser is not.
      await attempt(app, user.username, user.password, '198.51.100.1').set('Cookie', device).expect(200);
      // It is never a session.
      expectProblem(await request(app.callback()).get('/users/me').set('Cookie', device), 401, 'not-authenticated');
    });

    it("counts a known browser's own failures against its own budget, and ignores a forged, altered or other account's cookie", async () => {
      const app = appWith();
      const [ada, bob] = [await register(app), await register(app)];
      const device = deviceCookieOf(await attempt(app, ada.username, ada.password, '198.51.100.3').expect(200));
      for (let i = 0; i < 3; i += 1)
        expectProblem(await attempt(app, ada.username, WRONG, '198.51.100.3').set('Cookie', device), 401, 'invalid-credentials');
      // That browser has spent its budget ...
      expectThrottled(await attempt(app, ada.username, ada.password, '198.51.100.3').set('Cookie', device));
      // ... and nobody else's: the account itself was not counted.
      await attempt(app, ada.username, ada.password, '198.51.100.4').expect(200);

      // Lock bob's account from elsewhere; ada's cookie, an unsigned one and an altered one do not open it.
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(app, bob.username, WRONG, '203.0.113.10'), 401, 'invalid-credentials');
      const forged = `${DEVICE}=${bob.username}:AAAAAAAAAAAAAAAAAAAAAA`;
      const altered = device.replace(/authsvc\.device=[^;]+/, `${DEVICE}=${bob.username}:AAAAAAAAAAAAAAAAAAAAAA`);
      for (const cookie of [device, forged, altered]) {
        expectThrottled(await attempt(app, bob.username, bob.password, '198.51.100.5').set('Cookie', cookie));
      }
    });
  });
}
