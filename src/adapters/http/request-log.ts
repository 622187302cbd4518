import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logging/logger.js';

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Health probes and metric scrapes come every few seconds from machines: logged at debug, not info. */
const QUIET_PATHS = /^\/(health\/|metrics$)/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is well formed, else a new one), returns it,
 * and logs one line per request with a child logger that carries it (at debug for probes and scrapes).
 */
export function requestLog(log: Logger): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const reqId = WELL_FORMED_ID.test(given) ? given : randomUUID();
    const started = performance.now();
    ctx.state.reqId = reqId;
    ctx.state.log = log.child({ reqId });
    ctx.set('X-Request-Id', reqId);
    try {
      await next();
    } finally {
      const level = QUIET_PATHS.test(ctx.path) ? 'debug' : 'info';
      (ctx.state.log as Logger)[level](
        {
          method: ctx.method,
          route: ctx.state.routePath ?? ctx._matchedRoute ?? null,
          path: ctx.path,
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        'request',
      );
    }
  };
}
