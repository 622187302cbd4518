import type { Knex } from 'knex';
import type { Env } from '../../../src/config/env.js';
import { testApp, testEnv } from '../../support/test-app.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import type { HttpSuite } from '../http/helpers.js';

export const DATABASES: Array<[string, OpenDb]> = [
  ['MySQL', onMySql],
  ['SQLite (the embedded default)', onSqlite],
];

/**
 * The same cases on each database the service supports: a fresh migrated database per database and suite,
 * and the production app over it (`env` overrides the test settings).
 */
export function onEachDatabase(title: string, cases: (suite: HttpSuite) => void, env: Record<string, string> = {}): void {
  for (const [name, open] of DATABASES) {
    describe(`${title} (${name})`, function () {
      const suite = databaseSuite(open, (db) => {
        Object.assign(suite, testApp(db, testEnv(env)));
        suite.appWith = (other: Env) => testApp(db, other).app;
      }) as HttpSuite;
      cases(suite);
    });
  }
}

export interface AuditRow {
  id: string;
  type: string;
  outcome: string;
  actor: string;
  subjectId: string | null;
  client: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The audit rows about one account (or all), oldest first, details parsed. */
export async function auditRows(db: Knex, subjectId?: string): Promise<AuditRow[]> {
  const query = db('audit').orderBy('id');
  if (subjectId !== undefined) query.where({ subjectId });
  const rows = (await query) as Array<AuditRow & { details: string }>;
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}
