import type { Knex } from 'knex';

// Login throttling counters (rate-limiter-flexible's MySQL and SQLite stores read and write these columns).
// In the database rather than in memory, so that every instance of the service counts the same attempts.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('rate_limits');
}
