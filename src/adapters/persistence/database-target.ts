import type { DbTarget } from './db.js';

/** Where the database is, fit for a log line: the URL without its password, or the SQLite file. */
export function describeTarget(target: DbTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.file}`;
  try {
    const url = new URL(target.url);
    url.password = '';
    return url.toString();
  } catch {
    return 'an unreadable DATABASE_URL'; // never echo it: the password may be anywhere in it
  }
}

/** The host, port and database name of a MySQL URL, for structured log fields. */
export function targetFields(target: DbTarget): Record<string, string | number> {
  if (target.kind === 'sqlite') return { database: 'sqlite', file: target.file };
  try {
    const url = new URL(target.url);
    return {
      database: 'mysql',
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      name: decodeURIComponent(url.pathname.slice(1)),
    };
  } catch {
    return { database: 'mysql' };
  }
}

/**
 * The database could not be opened at start-up, for a reason the operator can fix: the message says what was
 * tried (without the password) and what to do. Anything not recognised stays the original error.
 */
export class DatabaseUnavailable extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly advice: string,
    options?: ErrorOptions,
  ) {
    super(`cannot open the database ${where}: ${reason}; ${advice}`, options);
    this.name = 'DatabaseUnavailable';
  }
}

/** The driver's code inside the wrappers (knex, objection, AggregateError of several addresses). */
function codeOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; nativeError?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  return (
    codeOf(e.nativeError, depth + 1) ?? codeOf(e.cause, depth + 1) ?? (Array.isArray(e.errors) ? codeOf(e.errors[0], depth + 1) : undefined)
  );
}

/** MySQL's error numbers, for the few whose code mysql2 leaves out. */
const ERRNO_CODES: Record<number, string> = {
  1044: 'ER_DBACCESS_DENIED_ERROR',
  1045: 'ER_ACCESS_DENIED_ERROR',
  1049: 'ER_BAD_DB_ERROR',
  1698: 'ER_ACCESS_DENIED_ERROR',
};

function errnoOf(err: unknown, depth = 0): number | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { errno?: unknown; nativeError?: unknown; cause?: unknown };
  if (typeof e.errno === 'number' && e.errno > 0) return e.errno;
  return errnoOf(e.nativeError, depth + 1) ?? errnoOf(e.cause, depth + 1);
}

/** `err`, met while opening `target`, as a DatabaseUnavailable when it is one a person can act on; else undefined. */
export function explainOpenFailure(err: unknown, target: DbTarget): DatabaseUnavailable | undefined {
  const where = describeTarget(target);
  const code = codeOf(err);
  const errno = errnoOf(err);
  const fields = targetFields(target);
  const because = (reason: string, advice: string) => new DatabaseUnavailable(where, reason, advice, { cause: err });
  switch (ERRNO_CODES[errno ?? 0] ?? code) {
    case 'ER_BAD_DB_ERROR':
      return because(
        `the database "${fields.name}" does not exist`,
        `create the database first (CREATE DATABASE \`${fields.name}\`), or correct DATABASE_URL`,
      );
    case 'ECONNREFUSED':
      return because(
        `nothing accepts connections at ${fields.host}:${fields.port}`,
        'start the database server, or correct the host and port in DATABASE_URL',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return because(`the host "${fields.host}" is not known`, 'correct the host in DATABASE_URL');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return because(`${fields.host}:${fields.port} does not answer`, 'check that the server runs and that this machine may reach it');
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return because('the server refused the user or password', 'check the user and password in DATABASE_URL and what the user is granted');
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EROFS':
      return because('the file cannot be opened or created', 'check the path in SQLITE_FILE and that this user may write there');
    default:
      return undefined;
  }
}
