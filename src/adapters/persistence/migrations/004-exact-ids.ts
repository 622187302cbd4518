import type { Knex } from 'knex';
import { isSqlite } from '../db.js';

// Ids compare exactly on MySQL and MariaDB. Their default collations ignore case and trailing spaces, so
// `WHERE id = '<ID IN UPPER CASE> '` found the account while the code, comparing text, saw another id. The id
// columns and the columns that hold user ids get a binary collation that does not pad either: utf8mb4_0900_bin
// on MySQL 8, utf8mb4_nopad_bin on MariaDB. SQLite already compares text byte for byte.

interface IdColumn {
  table: string;
  column: string;
  nullable: boolean;
}

const ID_COLUMNS: IdColumn[] = [
  { table: 'users', column: 'id', nullable: false },
  { table: 'sessions', column: 'user_id', nullable: true },
  { table: 'outbox', column: 'id', nullable: false },
  { table: 'outbox', column: 'aggregateid', nullable: false },
];

/** The exact (binary, no-pad) utf8mb4 collation this server has. */
async function exactCollation(db: Knex): Promise<string> {
  const [rows] = (await db.raw(
    "SELECT collation_name AS name FROM information_schema.collations WHERE collation_name IN ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')",
  )) as [Array<{ name: string }>];
  const names = rows.map((r) => r.name);
  const found = ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin'].find((n) => names.includes(n));
  if (!found) throw new Error('this server has neither utf8mb4_0900_bin nor utf8mb4_nopad_bin: ids cannot be compared exactly');
  return found;
}

/**
 * The collation of users.id for new columns that hold user ids (undefined on SQLite). A foreign key to users.id
 * must have it: MySQL and MariaDB refuse one across collations.
 */
export async function userIdCollation(db: Knex): Promise<string | undefined> {
  return isSqlite(db) ? undefined : exactCollation(db);
}

/** A column for a user id, compared exactly like users.id. */
export function userIdColumn(t: Knex.CreateTableBuilder, collation: string | undefined, name = 'userId'): Knex.ColumnBuilder {
  const column = t.string(name, 36);
  return collation ? column.collate(collation) : column;
}

/** The name of the foreign key from sessions.user_id to users.id (a column it references cannot change alone). */
async function sessionsUserForeignKey(db: Knex): Promise<string | undefined> {
  const [rows] = (await db.raw(
    `SELECT constraint_name AS name FROM information_schema.key_column_usage
      WHERE table_schema = DATABASE() AND table_name = 'sessions' AND column_name = 'user_id' AND referenced_table_name = 'users'`,
  )) as [Array<{ name: string }>];
  return rows[0]?.name;
}

async function setCollation(db: Knex, collation: string | undefined): Promise<void> {
  const foreignKey = await sessionsUserForeignKey(db);
  if (foreignKey) await db.raw(`ALTER TABLE sessions DROP FOREIGN KEY \`${foreignKey}\``);
  for (const { table, column, nullable } of ID_COLUMNS) {
    const collate = collation ? ` CHARACTER SET utf8mb4 COLLATE ${collation}` : '';
    await db.raw(`ALTER TABLE \`${table}\` MODIFY \`${column}\` VARCHAR(36)${collate} ${nullable ? 'NULL' : 'NOT NULL'}`);
  }
  await db.raw(
    `ALTER TABLE sessions ADD CONSTRAINT \`${foreignKey ?? 'sessions_user_id_foreign'}\` FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`,
  );
}

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await setCollation(db, await exactCollation(db));
}

/** Back to each table's default collation. */
export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await setCollation(db, undefined);
}
