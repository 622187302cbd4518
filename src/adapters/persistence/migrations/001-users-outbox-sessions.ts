import type { Knex } from 'knex';

// Written with the schema builder only, so the same migration runs on MySQL 8, MariaDB 10.6+ and SQLite.
// Identifiers here are camelCase: the snake-case mapper turns them into the SQL column names.

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('users', (t) => {
    t.string('id', 36).primary(); // UUIDv7: opaque in the API, time-ordered for the index and for paging
    t.string('username', 64).notNullable().unique(); // stored lower case, so unique ignoring case
    t.string('role', 16).notNullable().index();
    t.string('passwordHash', 60).notNullable(); // bcrypt's modular crypt format is always 60 characters
    t.datetime('createdAt', { precision: 3 }).notNullable();
    t.datetime('updatedAt', { precision: 3 }).notNullable();
    t.datetime('lastLoginAt', { precision: 3 }).nullable();
  });

  // The columns Debezium's outbox event router reads (id, aggregatetype, aggregateid, type, payload), so a team
  // can switch to log tailing without a migration. `seq` is insertion order: a change writes its event under the
  // user row's lock, so one user's events are in seq order, which the relay keeps.
  await db.schema.createTable('outbox', (t) => {
    t.bigIncrements('seq').primary();
    t.string('id', 36).notNullable().unique();
    t.string('aggregatetype', 64).notNullable();
    t.string('aggregateid', 36).notNullable();
    t.string('type', 64).notNullable();
    t.json('payload').notNullable();
    t.datetime('createdAt', { precision: 3 }).notNullable();
    t.datetime('publishedAt', { precision: 3 }).nullable();
    // A row that cannot be turned into a message is parked with its error rather than blocking the rows behind it.
    t.datetime('parkedAt', { precision: 3 }).nullable();
    t.text('lastError').nullable();
    // The relay reads "not yet published, not parked" in seq order, from this index alone.
    t.index(['publishedAt', 'parkedAt', 'seq'], 'outbox_pending_idx');
  });

  // The primary key is a SHA-256 of the cookie's session id: a leaked table does not hand out live sessions.
  // Times are epoch milliseconds, compared the same way on every database.
  await db.schema.createTable('sessions', (t) => {
    t.string('id', 64).primary();
    t.string('userId', 36).nullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('data').notNullable();
    t.bigInteger('createdAt').notNullable();
    t.bigInteger('expiresAt').notNullable().index();
    t.bigInteger('absoluteExpiresAt').notNullable();
    t.index(['userId']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sessions');
  await db.schema.dropTable('outbox');
  await db.schema.dropTable('users');
}
