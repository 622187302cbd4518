import type { Knex } from 'knex';
import { userIdCollation, userIdColumn } from './004-exact-ids.js';

// Second factors: one-time code secrets, recovery codes, passkeys and the WebAuthn challenges handed out.
// Every row goes with its user (ON DELETE CASCADE).
export async function up(db: Knex): Promise<void> {
  // The user ids take users.id's exact collation (migration 004): a foreign key across collations is refused.
  const idCollation = await userIdCollation(db);
  // One TOTP secret per user, sealed with AES-256-GCM under MFA_KEY_SECRET. `confirmedAt` null: an enrolment
  // waiting for its first code, not yet a second factor. `lastUsedStep` is the 30-second time step of the last
  // accepted code: a code is accepted only for a later step, by a conditional UPDATE (so at most once, even
  // under concurrent requests).
  await db.schema.createTable('mfa_totp', (t) => {
    userIdColumn(t, idCollation).primary().references('id').inTable('users').onDelete('CASCADE');
    t.text('secretSealed').notNullable();
    t.datetime('createdAt', { precision: 3 }).notNullable();
    t.datetime('confirmedAt', { precision: 3 }).nullable();
    t.bigInteger('lastUsedStep').notNullable().defaultTo(0);
  });

  // Recovery codes, stored as an HMAC-SHA-256 (key derived from MFA_KEY_SECRET), each usable once: `usedAt` is
  // set by a conditional UPDATE.
  await db.schema.createTable('mfa_recovery_codes', (t) => {
    t.bigIncrements('id').primary();
    userIdColumn(t, idCollation).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('codeHash', 64).notNullable();
    t.datetime('usedAt', { precision: 3 }).nullable();
    t.unique(['userId', 'codeHash']);
  });

  // Passkeys. Credential ids can be up to 1,023 bytes, too long for a unique index on MySQL: the index is on
  // their SHA-256.
  await db.schema.createTable('webauthn_credentials', (t) => {
    t.string('id', 36).primary(); // ours, UUIDv7, what the API shows
    userIdColumn(t, idCollation).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('credentialIdHash', 64).notNullable().unique();
    t.text('credentialId').notNullable(); // base64url, as the authenticator gave it
    t.text('publicKey').notNullable(); // COSE public key, base64url
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.string('transports', 255).nullable(); // JSON array
    t.string('deviceType', 16).notNullable();
    t.boolean('backedUp').notNullable();
    t.string('name', 64).notNullable();
    t.datetime('createdAt', { precision: 3 }).notNullable();
    t.datetime('lastUsedAt', { precision: 3 }).nullable();
    t.index(['userId']);
  });

  // Challenges handed out with WebAuthn options, each usable once (deleted when used) and only for its purpose
  // (and user, when known). Stored as their SHA-256; times are epoch milliseconds.
  await db.schema.createTable('webauthn_challenges', (t) => {
    t.string('challengeHash', 64).primary();
    t.string('purpose', 16).notNullable();
    userIdColumn(t, idCollation).nullable().references('id').inTable('users').onDelete('CASCADE');
    t.bigInteger('expiresAt').notNullable().index();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('webauthn_challenges');
  await db.schema.dropTable('webauthn_credentials');
  await db.schema.dropTable('mfa_recovery_codes');
  await db.schema.dropTable('mfa_totp');
}
