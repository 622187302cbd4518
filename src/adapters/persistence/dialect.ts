import type { Knex } from 'knex';

// Which database a knex instance speaks to. It imports nothing of the service, so that the migrations, the
// throttles and the stores can all ask without a cycle through the connection set-up in db.ts.

/** The configuration a knex instance was made with (knex types its client as `any`). */
function configOf(db: Knex): Knex.Config {
  return (db.client as { config: Knex.Config }).config;
}

export function isSqlite(db: Knex): boolean {
  return configOf(db).client === 'better-sqlite3';
}

/** The database (schema) name a MySQL connection was given, if any. */
export function databaseName(db: Knex): string | undefined {
  return (configOf(db).connection as { database?: string } | undefined)?.database;
}
