import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Security headers on every response (helmet's defaults: a locked-down CSP for a JSON API, nosniff, frame
 * denial, HSTS, no referrer...), and `Cache-Control: no-store`: responses carry user data or the session cookie
 * and must not be kept by browsers or shared caches.
 */
export function securityHeaders(): Middleware[] {
  const noStore: Middleware = async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
  return [helmet(), noStore];
}

/** CORS stays off unless ALLOWED_ORIGINS names front ends; then those origins only, with credentials. */
export function corsFor(allowedOrigins: readonly string[]): Middleware[] {
  if (allowedOrigins.length === 0) return [];
  const allowed = new Set(allowedOrigins);
  return [
    cors({
      origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
      credentials: true,
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      exposeHeaders: ['Location', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    }),
  ];
}
