import type { Knex } from 'knex';

// Account status (disable instead of delete) and the audit trail.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('users', (t) => {
    t.string('status', 16).notNullable().defaultTo('active');
    t.string('statusReason', 256).nullable();
  });

  // No foreign key to users: the trail of a deleted account outlives it. Ids are UUIDv7, so the primary key is
  // also the time order that pages are read in (newest first, keyset on the id).
  await db.schema.createTable('audit', (t) => {
    t.string('id', 36).primary();
    t.datetime('at', { precision: 3 }).notNullable().index('audit_at_idx'); // since/until, and retention
    t.string('type', 64).notNullable();
    t.string('outcome', 16).notNullable();
    t.string('actor', 36).notNullable(); // a user id, 'operator', 'system' or 'anonymous'
    t.string('subjectId', 36).nullable();
    t.string('client', 64).nullable();
    t.string('userAgent', 256).nullable();
    t.string('requestId', 128).nullable();
    t.text('details').notNullable(); // a small JSON object
    t.index(['subjectId', 'id'], 'audit_subject_idx');
    t.index(['type', 'id'], 'audit_type_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit');
  await db.schema.alterTable('users', (t) => {
    t.dropColumn('statusReason');
    t.dropColumn('status');
  });
}
