import type { Knex } from 'knex';
import { onMySql, onRunDatabase, onSqlite, type OpenDb } from './test-database.js';

/** The databases the service supports, for a suite that runs its cases on each: `for (const [name, open] of …)`. */
export const EACH_DATABASE: Array<[string, OpenDb]> = [
  ['MySQL', onMySql],
  ['SQLite', onSqlite],
];

/**
 * For inside `describe`: a fresh migrated database for the suite (the run's own unless `open` says otherwise),
 * opened before its tests, handed to `ready` with its URL on MySQL (to build what the suite needs on it), closed and dropped after
 * them. A suite that cannot have its database is skipped loudly, as `open` decides.
 *
 * Mocha runs `after` hooks in the order they were registered: a suite whose own clean-up still needs the database
 * (a relay to stop) registers that `after` before calling this.
 */
export function databaseSuite(
  open: OpenDb = onRunDatabase,
  ready: (db: Knex, url: string | undefined) => unknown = () => undefined,
): { db: Knex } {
  const suite = {} as { db: Knex };
  let dispose: (() => Promise<void>) | undefined;
  before(async function () {
    const opened = await open(this);
    dispose = opened.dispose;
    suite.db = opened.db;
    await ready(opened.db, opened.url);
  });
  after(async () => dispose?.());
  return suite;
}
