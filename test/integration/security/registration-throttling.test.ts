import { expect } from 'chai';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { testApp, testEnv } from '../../support/test-app.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { createAdmin, expectProblem, httpSuite, logIn, PASSWORD, uniqueName } from '../http/helpers.js';
import { attempt, expectThrottled, forgetAttempts, sleep } from './helpers.js';

const registerFrom = (app: Koa, client: string, username = uniqueName(), password = PASSWORD) =>
  request(app.callback()).post('/users').set('X-Forwarded-For', client).send({ username, password });

for (const [name, open] of [
  ['MySQL', onMySql],
  ['SQLite', onSqlite],
] as Array<[string, OpenDb]>) {
  describe(`registration throttling (REGISTER_LIMITS_CLIENT) and logins under a registration flood (${name})`, function () {
    this.timeout(90_000);
    let db: Knex;
    let dispose: () => Promise<void>;
    before(async function () {
      ({ db, dispose } = await open(this));
    });
    after(async () => dispose?.());
    beforeEach(() => forgetAttempts(db));

    const appWith = (overrides: Record<string, string>): Koa => testApp(db, testEnv({ TRUST_PROXY: '1', ...overrides })).app;

    it('refuses an address past its limit with 429 and Retry-After, taken names counted, other addresses unaffected', async () => {
      const app = appWith({ REGISTER_LIMITS_CLIENT: '3/60' });
      const taken = uniqueName();
      await registerFrom(app, '198.51.100.20', taken).expect(201);
      expectProblem(await registerFrom(app, '198.51.100.20', taken), 409, 'username-taken');
      await registerFrom(app, '198.51.100.20').expect(201);
      const wait = expectThrottled(await registerFrom(app, '198.51.100.20'));
      expect(wait).to.be.within(1, 60);
      // Probing names through 409 is refused as well once over the limit.
      expectThrottled(await registerFrom(app, '198.51.100.20', taken));
      await registerFrom(app, '198.51.100.21').expect(201);
    });

    it('a refused registration writes nothing: refused from memory once the window is full', async () => {
      const app = appWith({ REGISTER_LIMITS_CLIENT: '2/60' });
      for (let i = 0; i < 2; i += 1) await registerFrom(app, '198.51.100.30').expect(201);
      const seen: string[] = [];
      const listen = (q: { sql: string }) => seen.push(q.sql);
      db.on('query', listen);
      try {
        for (let i = 0; i < 10; i += 1) expectThrottled(await registerFrom(app, '198.51.100.30'));
      } finally {
        db.removeListener('query', listen);
      }
      expect(seen, seen.join('\n')).to.be.empty;
    });

    it('logins from another address keep working while one address floods registrations past the bcrypt cap', async () => {
      // A real bcrypt cost, so that the flood keeps the hasher busy; 4 places, of which registrations get 2.
      const app = appWith({ BCRYPT_COST: '9', BCRYPT_MAX_PENDING: '4', REGISTER_LIMITS_CLIENT: '100000/60' });
      const user = { username: uniqueName(), password: PASSWORD };
      await registerFrom(app, '198.51.100.40', user.username).expect(201);
      let flooding = true;
      const flooder = async () => {
        while (flooding) await registerFrom(app, '203.0.113.66');
      };
      const flood = Array.from({ length: 8 }, flooder);
      await sleep(300);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await attempt(app, user.username, user.password, '198.51.100.41')).status);
      flooding = false;
      await Promise.all(flood);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200]);
    });
  });
}

describe('registration throttling: admins are not counted', function () {
  this.timeout(30_000);
  const suite = httpSuite();

  it('an admin creates accounts past the anonymous limit from the same address', async () => {
    const app = suite.appWith(testEnv({ REGISTER_LIMITS_CLIENT: '1/60' }));
    const admin = await createAdmin(suite);
    const agent = await logIn(app, admin);
    for (let i = 0; i < 3; i += 1) await agent.post('/users').send({ username: uniqueName(), password: PASSWORD }).expect(201);
  });
});
