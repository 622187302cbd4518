import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';
import { exactCollation } from './004-exact-ids.js';

// The login throttle's counters, one row per key (an account or a client address) with all of its windows:
// window i's count in c{i} and its end in r{i} (epoch ms), so that a login counts each key in one statement
// instead of one transaction per window. `outcome` holds the verdict of the last reservation, which the same
// statement hands back. Keys compare exactly (binary, no padding), as ids do since 004. The registration
// throttle keeps its counters in rate_limits.
export async function up(db: Knex): Promise<void> {
  const collation = isSqlite(db) ? undefined : await exactCollation(db);
  await db.schema.createTable('login_throttle', (t) => {
    const subject = t.string('subject', 255).primary();
    if (collation) subject.collate(collation);
    for (let i = 0; i < 4; i += 1) {
      t.integer(`c${i}`).notNullable().defaultTo(0);
      t.bigInteger(`r${i}`).notNullable().defaultTo(0);
    }
    t.bigInteger('outcome').notNullable().defaultTo(0);
  });
  // The old per-window counters of logins are no longer read.
  await db('rate_limits').where('key', 'like', 'login%').delete();
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('login_throttle');
}
