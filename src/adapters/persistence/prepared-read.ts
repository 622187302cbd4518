import type { Knex } from 'knex';
import { isSqlite } from './dialect.js';

/** The driver calls this module makes on a pooled connection (knex types its connections as `any`). */
interface Mysql2Connection {
  execute(sql: string, values: readonly unknown[], done: (err: Error | null, rows: unknown) => void): void;
}
interface SqliteConnection {
  prepare(sql: string): { get(...values: readonly unknown[]): unknown };
}
interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

type SqliteStatement = ReturnType<SqliteConnection['prepare']>;
/** better-sqlite3 statements, prepared once per connection and statement. */
const sqliteStatements = new WeakMap<object, Map<string, SqliteStatement>>();

/**
 * The first row of a fixed statement, on a connection of the knex instance's pool, without knex's query builder
 * or objection: the statement is written once, as SQL both databases read (backquoted names, `?` placeholders,
 * columns aliased to the camelCase names the row type has), and prepared on each connection the first time it
 * runs there (mysql2's `execute`, better-sqlite3's `prepare`). For the reads on every authenticated request,
 * where building the same SQL per request was a fifth of the CPU. Never inside a transaction: it takes its own
 * connection.
 */
export function preparedRead<Row>(db: Knex, sql: string): (values: readonly unknown[]) => Promise<Row | undefined> {
  const client = db.client as PoolClient;
  const sqlite = isSqlite(db);
  return async (values) => {
    const connection = await client.acquireConnection();
    try {
      return sqlite
        ? firstOnSqlite<Row>(connection as SqliteConnection, sql, values)
        : await firstOnMysql<Row>(connection as Mysql2Connection, sql, values);
    } finally {
      await client.releaseConnection(connection);
    }
  };
}

function firstOnSqlite<Row>(connection: SqliteConnection, sql: string, values: readonly unknown[]): Row | undefined {
  let statements = sqliteStatements.get(connection);
  if (!statements) sqliteStatements.set(connection, (statements = new Map<string, SqliteStatement>()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
  return statement.get(...values) as Row | undefined;
}

function firstOnMysql<Row>(connection: Mysql2Connection, sql: string, values: readonly unknown[]): Promise<Row | undefined> {
  return new Promise((resolve, reject) => {
    connection.execute(sql, values, (err, rows) => (err ? reject(err) : resolve((rows as Row[])[0])));
  });
}
