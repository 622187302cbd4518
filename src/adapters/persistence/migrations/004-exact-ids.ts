import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

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
export async function exactCollation(db: Knex): Promise<string> {
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

/** A foreign key to users.id: its column must change collation with users.id, so it is dropped and made again. */
interface UserForeignKey {
  name: string;
  table: string;
  column: string;
  nullable: boolean;
  onDelete: string;
}

/** Every foreign key to users.id: sessions' at first, and those of tables added later when going down. */
async function foreignKeysToUsers(db: Knex): Promise<UserForeignKey[]> {
  const [rows] = (await db.raw(
    `SELECT k.constraint_name AS name, k.table_name AS tbl, k.column_name AS col, c.is_nullable AS nullable, r.delete_rule AS rule
       FROM information_schema.key_column_usage k
       JOIN information_schema.columns c
         ON c.table_schema = k.table_schema AND c.table_name = k.table_name AND c.column_name = k.column_name
       JOIN information_schema.referential_constraints r
         ON r.constraint_schema = k.constraint_schema AND r.table_name = k.table_name AND r.constraint_name = k.constraint_name
      WHERE k.table_schema = DATABASE() AND k.referenced_table_name = 'users' AND k.referenced_column_name = 'id'`,
  )) as [Array<{ name: string; tbl: string; col: string; nullable: string; rule: string }>];
  return rows.map((r) => ({ name: r.name, table: r.tbl, column: r.col, nullable: r.nullable === 'YES', onDelete: r.rule }));
}

async function setCollation(db: Knex, collation: string | undefined): Promise<void> {
  const foreignKeys = await foreignKeysToUsers(db);
  for (const { name, table } of foreignKeys) await db.raw(`ALTER TABLE \`${table}\` DROP FOREIGN KEY \`${name}\``);
  if (!foreignKeys.some((k) => k.table === 'sessions')) {
    foreignKeys.push({ name: 'sessions_user_id_foreign', table: 'sessions', column: 'user_id', nullable: true, onDelete: 'CASCADE' });
  }
  const collate = collation ? ` CHARACTER SET utf8mb4 COLLATE ${collation}` : '';
  const columns = [...ID_COLUMNS];
  for (const { table, column, nullable } of foreignKeys) {
    if (!columns.some((c) => c.table === table && c.column === column)) columns.push({ table, column, nullable });
  }
  for (const { table, column, nullable } of columns) {
    await db.raw(`ALTER TABLE \`${table}\` MODIFY \`${column}\` VARCHAR(36)${collate} ${nullable ? 'NULL' : 'NOT NULL'}`);
  }
  for (const { name, table, column, onDelete } of foreignKeys) {
    await db.raw(
      `ALTER TABLE \`${table}\` ADD CONSTRAINT \`${name}\` FOREIGN KEY (\`${column}\`) REFERENCES users (id) ON DELETE ${onDelete}`,
    );
  }
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
