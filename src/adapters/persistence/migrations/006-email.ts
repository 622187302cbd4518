import type { Knex } from 'knex';
import { userIdCollation, userIdColumn } from './004-exact-ids.js';

// Email addresses, single-use tokens and the mail queue. Schema builder only: MySQL 8, MariaDB and SQLite.
export async function up(db: Knex): Promise<void> {
  // A foreign key must match the collation migration 004 gave users.id (MySQL refuses one that does not).
  const idCollation = await userIdCollation(db);
  await db.schema.alterTable('users', (t) => {
    // Stored trimmed and lower case, so the unique index is unique ignoring case. NULLs do not collide.
    t.string('email', 254).nullable().unique('users_email_unique');
    t.boolean('emailVerified').notNullable().defaultTo(false);
  });

  // A token is stored as the SHA-256 of its value only; it is bound to the user and to the address it was sent
  // to. Times are epoch milliseconds.
  await db.schema.createTable('email_tokens', (t) => {
    t.string('hash', 64).primary();
    userIdColumn(t, idCollation).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('purpose', 16).notNullable();
    t.string('email', 254).notNullable();
    t.bigInteger('expiresAt').notNullable();
    t.bigInteger('createdAt').notNullable();
    t.index(['userId', 'purpose'], 'email_tokens_user_idx');
  });

  // The mail queue, written in the transaction of the change that causes each message. `params` (which may
  // hold a token) is erased once the message is sent or parked; the row stays as the record that it was.
  await db.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('seq').primary();
    t.string('id', 36).notNullable().unique(); // the Message-ID is made from it: the same on every retry
    userIdColumn(t, idCollation).notNullable();
    t.string('kind', 32).notNullable();
    t.string('recipient', 254).notNullable();
    t.text('params').nullable();
    t.datetime('createdAt', { precision: 3 }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('nextAttemptAt').notNullable(); // epoch ms: due, or claimed by a sender until then
    t.datetime('sentAt', { precision: 3 }).nullable();
    t.datetime('parkedAt', { precision: 3 }).nullable();
    t.text('lastError').nullable();
    t.index(['sentAt', 'parkedAt', 'nextAttemptAt'], 'mail_outbox_due_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('mail_outbox');
  await db.schema.dropTable('email_tokens');
  await db.schema.alterTable('users', (t) => {
    t.dropUnique(['email'], 'users_email_unique');
    t.dropColumn('email');
    t.dropColumn('emailVerified');
  });
}
