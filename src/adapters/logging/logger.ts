import { pino, type Logger } from 'pino';

export type { Logger };
/** Injection token for the service's root logger. */
export const Log = Symbol('Log');

/**
 * JSON lines on stdout. Secrets never reach a log line: the paths below are removed wherever a request,
 * a body or an error carries them.
 */
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
          'err.body', // body parser errors carry the raw request body
        ],
        remove: true,
      },
      ...(transport && { transport }),
    },
    destination,
  );
}
