import type { Knex } from 'knex';
import * as m001 from './001-users-outbox-sessions.js';
import * as m002 from './002-rate-limits.js';
import * as m003 from './003-admin-guard.js';
import * as m004 from './004-exact-ids.js';
import * as m005 from './005-sessions-and-token-keys.js';
import * as m006 from './006-email.js';
import * as m007 from './007-second-factor.js';
import * as m008 from './008-audit-and-status.js';
import * as m009 from './009-throttle-rows.js';

/**
 * Migrations are listed in code rather than read from a folder, so the same list runs from the TypeScript
 * sources (tests, tsx) and from the compiled output (npm start, containers).
 */
const migrations: Record<string, Knex.Migration> = {
  '001-users-outbox-sessions': m001,
  '002-rate-limits': m002,
  '003-admin-guard': m003,
  '004-exact-ids': m004,
  '005-sessions-and-token-keys': m005,
  '006-email': m006,
  '007-second-factor': m007,
  '008-audit-and-status': m008,
  '009-throttle-rows': m009,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
