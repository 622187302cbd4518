import { expect } from 'chai';
import type { Knex } from 'knex';
import { SqlThrottleRows } from '../../../src/adapters/throttling/sql-throttle-rows.js';
import { testApp, testEnv } from '../../support/test-app.js';
import { databaseSuite, EACH_DATABASE } from '../../support/database-suite.js';
import { register } from '../http/helpers.js';
import { attempt, forgetAttempts } from './helpers.js';

const WINDOWS = [
  { points: 5, ms: 60_000 },
  { points: 7, ms: 3_600_000 },
];

for (const [name, open] of EACH_DATABASE) {
  describe(`login throttle rows: one statement per key (${name})`, function () {
    this.timeout(60_000);
    let db: Knex;
    databaseSuite(open, (given) => void (db = given));
    beforeEach(() => forgetAttempts(db));

    async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => {
        if (/login_throttle/.test(q.sql)) seen.push(q.sql);
      };
      db.on('query', listen);
      try {
        await work();
      } finally {
        db.removeListener('query', listen);
      }
      return seen;
    }

    it('a login costs the throttle one statement per key to begin and one per key to settle', async () => {
      const app = testApp(db, testEnv({ TRUST_PROXY: '1' })).app;
      const user = await register(app);
      const success = await statementsDuring(() => attempt(app, user.username, user.password, '198.51.100.20').expect(200));
      expect(success, success.join('\n')).to.have.length(4); // reserve client, reserve account, clear account, give back client
      const failure = await statementsDuring(() => attempt(app, user.username, 'not the right password', '198.51.100.20').expect(401));
      expect(failure, failure.join('\n')).to.have.length(2); // the failure stays counted: nothing to settle
    });

    it('counts parallel reservations one by one: exactly 5 of 40, across windows of one row', async () => {
      const rows = new SqlThrottleRows(db);
      const now = Date.now();
      const answers = await Promise.all(Array.from({ length: 40 }, () => rows.reserve('account:burst', WINDOWS, now)));
      expect(answers.filter((a) => a.allowed)).to.have.length(5);
      expect(
        answers
          .filter((a) => a.allowed)
          .map((a) => (a.allowed ? a.placesLeft : -1))
          .sort(),
      ).to.deep.equal([0, 1, 2, 3, 4]);
      for (const a of answers.filter((x) => !x.allowed)) expect(a.allowed ? 0 : a.msLeft).to.be.within(59_000, 60_000);
      expect(await rows.read('account:burst', WINDOWS, now)).to.deep.equal([
        { count: 5, resetAt: now + 60_000 },
        { count: 5, resetAt: now + 3_600_000 },
      ]);
    });

    it('starts an ended window again, and gives back only to windows that had started by the reservation', async () => {
      const rows = new SqlThrottleRows(db);
      const t0 = Date.now();
      for (let i = 0; i < 5; i += 1) await rows.reserve('client:x', WINDOWS, t0);
      expect(await rows.reserve('client:x', WINDOWS, t0 + 1)).to.deep.include({ allowed: false });
      const t1 = t0 + 60_000; // the minute has ended, the hour runs on
      expect(await rows.reserve('client:x', WINDOWS, t1)).to.deep.equal({ allowed: true, placesLeft: 1 });
      // A place reserved before the new minute began is given back to the hour only.
      await rows.giveBack('client:x', WINDOWS, t0, t1 + 1);
      expect(await rows.read('client:x', WINDOWS, t1 + 1)).to.deep.equal([
        { count: 1, resetAt: t1 + 60_000 },
        { count: 5, resetAt: t0 + 3_600_000 },
      ]);
      await rows.clear('client:x');
      expect((await rows.read('client:x', WINDOWS, t1)).map((w) => w.count)).to.deep.equal([0, 0]);
    });

    it('keys compare exactly: a key differing by case or a trailing space is another key', async () => {
      const rows = new SqlThrottleRows(db);
      const now = Date.now();
      const one = [{ points: 1, ms: 60_000 }];
      expect(await rows.reserve('account:ada', one, now)).to.deep.include({ allowed: true });
      expect(await rows.reserve('account:ADA', one, now)).to.deep.include({ allowed: true });
      expect(await rows.reserve('account:ada ', one, now)).to.deep.include({ allowed: true });
      expect(await rows.reserve('account:ada', one, now)).to.deep.include({ allowed: false });
    });
  });
}
