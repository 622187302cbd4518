import { expect } from 'chai';
import type { Knex } from 'knex';
import type Koa from 'koa';
import { testApp, testEnv } from '../../support/test-app.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { expectProblem, register, uniqueName } from '../http/helpers.js';
import { attempt, expectThrottled, forgetAttempts, sleep, statusCounts } from './helpers.js';

const WRONG = 'not the right password';

for (const [name, open] of [
  ['MySQL', onMySql],
  ['SQLite', onSqlite],
] as Array<[string, OpenDb]>) {
  describe(`login throttle: refusals are cheap and do not count (${name})`, function () {
    this.timeout(60_000);
    let db: Knex;
    let dispose: () => Promise<void>;
    before(async function () {
      ({ db, dispose } = await open(this));
    });
    after(async () => dispose?.());
    beforeEach(() => forgetAttempts(db));

    const appWith = (overrides: Record<string, string>): Koa => testApp(db, testEnv({ TRUST_PROXY: '1', ...overrides })).app;

    /** Every SQL statement the app sends while `work` runs. */
    async function queriesDuring(work: () => Promise<void>): Promise<string[]> {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => seen.push(q.sql);
      db.on('query', listen);
      try {
        await work();
      } finally {
        db.removeListener('query', listen);
      }
      return seen;
    }

    it('a blocked address is refused from memory: no throttle statement, one audit entry for the block, and no row for the names it tries', async () => {
      const app = appWith({ LOGIN_LIMITS_CLIENT: '3/60' });
      const user = await register(app);
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(app, user.username, WRONG, '198.51.100.7'), 401, 'invalid-credentials');
      const rowsBefore = await db('login_throttle').orderBy('subject').select('subject', 'c0');
      const sql = await queriesDuring(async () => {
        for (let i = 0; i < 30; i += 1) expectThrottled(await attempt(app, uniqueName('probe'), WRONG, '198.51.100.7'));
      });
      // The throttle sends nothing; the audit trail records the block once, when it begins, not each refusal.
      const audit = sql.filter((q) => /`audit`|from `users`/.test(q));
      expect(
        sql.filter((q) => !audit.includes(q)),
        sql.join('\n'),
      ).to.be.empty;
      expect(audit.filter((q) => q.startsWith('insert into `audit`'))).to.have.length(1);
      expect(await db('login_throttle').orderBy('subject').select('subject', 'c0')).to.deep.equal(rowsBefore);
      // Another address is not affected.
      await attempt(app, user.username, user.password, '198.51.100.8').expect(200);
    });

    it('on another instance, a blocked address creates no account rows for the names it tries, then is refused from memory', async () => {
      const first = appWith({ LOGIN_LIMITS_CLIENT: '3/60' });
      const second = appWith({ LOGIN_LIMITS_CLIENT: '3/60' }); // its own throttle, as another process would have
      const user = await register(first);
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(first, user.username, WRONG, '198.51.100.9'), 401, 'invalid-credentials');
      const probe = uniqueName('probe');
      expectThrottled(await attempt(second, probe, WRONG, '198.51.100.9'));
      const keys = (await db('login_throttle').select('subject')).map((r: { subject: string }) => r.subject);
      expect(keys.filter((k) => k.endsWith(`:${probe}`))).to.be.empty;
      const [client] = await db('login_throttle').where('subject', 'client:198.51.100.9').select('c0');
      expect(Number(client.c0), 'the refusal counted nothing').to.equal(3);
      const sql = await queriesDuring(async () => {
        expectThrottled(await attempt(second, uniqueName('probe'), WRONG, '198.51.100.9'));
      });
      expect(sql, sql.join('\n')).to.be.empty;
    });

    it('110 wrong logins from one address (5 checked) lock the account only for its short window, not for the hour', async () => {
      const app = appWith({ LOGIN_LIMITS_ACCOUNT: '5/3,100/3600', LOGIN_LIMITS_CLIENT: '10000/60' });
      const admin = await register(app);
      const burst = await Promise.all(Array.from({ length: 110 }, () => attempt(app, admin.username, WRONG, '203.0.113.1')));
      const counts = statusCounts(burst);
      // 5 checked per 3-second window: more only if a window ended during the burst on a slow machine.
      expect(counts[401], JSON.stringify(counts)).to.be.at.least(5);
      expect(counts[401]! + counts[429]!, JSON.stringify(counts)).to.equal(110);
      await sleep(3_200); // the short window is over; the hour's window holds only the checked guesses
      // The right password from another address works: the 105 refusals were not counted as failures.
      await attempt(app, admin.username, admin.password, '203.0.113.2').expect(200);
    });

    it('200 simultaneous correct logins from one address leave it free: refusals give back what they took', async () => {
      const app = appWith({ LOGIN_LIMITS_CLIENT: '20/60,200/3600', BCRYPT_MAX_PENDING: '10000' });
      const user = await register(app);
      const burst = await Promise.all(Array.from({ length: 200 }, () => attempt(app, user.username, user.password, '203.0.113.50')));
      const counts = statusCounts(burst);
      expect(Object.keys(counts).sort(), JSON.stringify(counts)).to.satisfy((s: string[]) => s.every((c) => c === '200' || c === '429'));
      expect(counts[200]).to.be.at.least(20);
      // Nothing stayed counted against the address: twenty more correct logins in a row all succeed.
      for (let i = 0; i < 20; i += 1) await attempt(app, user.username, user.password, '203.0.113.50').expect(200);
      // A give-back may land just after its answer on a loaded machine: the row is read until it settles (2 s).
      const counts0 = async () => {
        const [row] = await db('login_throttle').where('subject', 'client:203.0.113.50').select('c0', 'c1');
        return [Number(row.c0), Number(row.c1)];
      };
      let left = await counts0();
      for (let i = 0; i < 20 && (left[0] !== 0 || left[1] !== 0); i += 1) {
        await sleep(100);
        left = await counts0();
      }
      expect(left).to.deep.equal([0, 0]);
    });
  });
}
