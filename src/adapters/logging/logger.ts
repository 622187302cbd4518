import { pino, type Logger } from 'pino';

export type { Logger };
/** Injection token for the service's root logger. */
export const Log = Symbol('Log');

/**
 * JSON lines on stdout. Secrets never reach a log line: the paths below are removed wherever a request,
 * a body or an error carries them.
 */
type Serialized = Record<string, unknown> & { type?: string; message?: string; stack?: string };

/**
 * The driver's error inside a wrapper (objection's DBError keeps it as `nativeError`, others as `cause`), with
 * the server's reason: mysql2's `sqlMessage`, or for better-sqlite3 (whose message knex prefixes with the
 * statement and ' - ') what follows the last ' - '.
 */
function databaseError(err: unknown, depth = 0): { code?: unknown; sqlMessage?: unknown } | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  const e = err as { sql?: unknown; code?: unknown; message?: unknown; nativeError?: unknown; cause?: unknown };
  if (typeof e.sql === 'string') return e;
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
    const message = typeof e.message === 'string' ? e.message : '';
    const at = message.lastIndexOf(' - ');
    return { code: e.code, sqlMessage: at < 0 ? message : message.slice(at + 3) };
  }
  return databaseError(e.nativeError, depth + 1) ?? databaseError(e.cause, depth + 1);
}

/** A driver's code or message, which is text or a number; anything else counts as absent. */
const textOf = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** Replaces the statement-bearing text of a serialized error and of the errors nested in it. */
function scrub(out: Serialized | undefined, reason: string, depth = 0): void {
  if (!out || typeof out !== 'object' || depth > 3) return;
  for (const key of ['sql', 'bindings', 'sqlMessage']) delete out[key];
  out.message = reason;
  const frames = (out.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  out.stack = [`${out.type ?? 'Error'}: ${reason}`, ...frames].join('\n');
  scrub(out.nativeError as Serialized | undefined, reason, depth + 1);
  scrub(out.cause as Serialized | undefined, reason, depth + 1);
}

/**
 * Database errors carry their SQL statement, values filled in (a password hash being written, a session-id
 * hash being looked up), in `sql`, in `message` and in the first line of `stack`, and so do the wrappers around
 * them. Logged errors keep the server's code and reason and lose the statement.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Serialized;
  const db = databaseError(err);
  if (db) scrub(out, `${textOf(db.code) || 'database error'}: ${textOf(db.sqlMessage)}`.trim());
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  // pino-pretty runs in a worker thread and only where a person reads the terminal (see LOG_FORMAT).
  const transport = format === 'pretty' && !destination ? { target: 'pino-pretty', options: { colorize: true } } : undefined;
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.currentPassword',
          '*.newPassword',
          '*.passwordHash',
          '*.sessionKey',
          '*.token', // single-use email tokens
          '*.params', // a queued message's params carry its token
          'err.body', // body parser errors carry the raw request body
          'err.sql',
          'err.bindings',
        ],
        remove: true,
      },
      serializers: { err: serializeError },
      ...(transport && { transport }),
    },
    destination,
  );
}
