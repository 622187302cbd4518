import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

// Sessions a user can see and end, and the keys that sign access tokens.
export async function up(db: Knex): Promise<void> {
  // A public id apart from the secret: listing and ending sessions names them without handing out the secret.
  // Times are epoch milliseconds like the rest of the table.
  await db.schema.alterTable('sessions', (t) => {
    t.string('publicId', 36).nullable();
    t.string('type', 8).notNullable().defaultTo('cookie'); // 'cookie' or 'token': how the client holds the secret
    t.bigInteger('lastSeenAt').nullable();
    t.string('ip', 64).nullable(); // at login
    t.string('userAgent', 512).nullable(); // at login, cut to length
  });
  // Sessions from before this migration get a public id of their own.
  const existing: Array<{ id: string; createdAt: number | string }> = await db('sessions').select('id', 'createdAt');
  for (const row of existing) {
    await db('sessions')
      .where({ id: row.id })
      .update({ publicId: randomUUID(), lastSeenAt: Number(row.createdAt) });
  }
  await db.schema.alterTable('sessions', (t) => {
    t.unique(['publicId'], { indexName: 'sessions_public_id_unique' });
  });

  // Token signing keys. The private key is sealed (AES-256-GCM under TOKEN_KEY_SECRET); the public key is what
  // the JWKS publishes. A key is published from createdAt, signs from activatesAt, stops signing at retiresAt,
  // and is deleted (unpublished) after deleteAfter, once every token it signed has expired.
  await db.schema.createTable('token_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    t.text('publicJwk').notNullable();
    t.text('sealedPrivateKey').notNullable();
    t.bigInteger('createdAt').notNullable();
    t.bigInteger('activatesAt').notNullable();
    t.bigInteger('retiresAt').nullable();
    t.bigInteger('deleteAfter').nullable();
  });
  // One row that every instance changing the keys locks first: two instances starting at once create one key.
  await db.schema.createTable('token_key_guard', (t) => {
    t.integer('id').primary();
    t.integer('version').notNullable().defaultTo(0);
  });
  await db('token_key_guard').insert({ id: 1, version: 0 });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('token_key_guard');
  await db.schema.dropTable('token_keys');
  await db.schema.alterTable('sessions', (t) => {
    t.dropUnique(['publicId'], 'sessions_public_id_unique');
    t.dropColumns('publicId', 'type', 'lastSeenAt', 'ip', 'userAgent');
  });
}
