import type { Knex } from 'knex';

// One row that every change able to remove an admin (a demotion, a deletion) locks before counting the admins.
// Locking this row instead of the admin rows themselves serializes exactly those changes, without the gap locks
// on the role index that made concurrent promotions and demotions deadlock.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('admin_guard', (t) => {
    t.integer('id').primary();
  });
  await db('admin_guard').insert({ id: 1 });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('admin_guard');
}
