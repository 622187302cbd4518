import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrateOrExplain } from '../../../src/config/database.js';
import { onSqlite } from '../../support/test-database.js';

/** What every process does with the database at start-up, on an embedded database. */
describe('migrations at start-up', function () {
  this.timeout(10_000);
  let db: Knex, dispose: () => Promise<void>;
  const env = { databaseUrl: undefined, sqliteFile: ':memory:' };

  beforeEach(async function () {
    ({ db, dispose } = await onSqlite(this));
  });
  afterEach(() => dispose());

  it('leaves an up-to-date database alone, even while another process holds the migration lock', async () => {
    await db('knex_migrations_lock').update({ is_locked: 1 }); // knex's own run would wait for it for a minute
    await migrateOrExplain(db, env);
  });

  it('applies a migration that is missing', async () => {
    await db.migrate.down();
    const before = await db('knex_migrations').count({ n: '*' });
    await migrateOrExplain(db, env);
    const after = await db('knex_migrations').count({ n: '*' });
    expect(Number(after[0]!.n)).to.equal(Number(before[0]!.n) + 1);
    const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
    expect(pending).to.have.length(0);
  });
});
