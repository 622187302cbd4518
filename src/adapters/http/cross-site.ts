import type { Middleware } from 'koa';
import { Forbidden } from '../../domain/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser says come from another site, so a page elsewhere cannot act
 * with the user's session cookie (CSRF). Browsers send `Sec-Fetch-Site` and `Origin`; other clients (services,
 * curl) send neither and are not affected. Origins listed in ALLOWED_ORIGINS are trusted front ends.
 * Together with JSON-only bodies (form and text posts get 415) this closes the simple-request path.
 */
export function refuseCrossSite(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    if (!SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      const site = ctx.get('Sec-Fetch-Site');
      const trusted = origin !== '' && (allowed.has(origin) || origin === ctx.origin);
      // `none` is a user typing the URL; `same-origin` needs no check. An Origin header, when present, decides.
      const crossSite = origin !== '' ? !trusted : site === 'cross-site' || site === 'same-site';
      if (crossSite) throw new Forbidden('Cross-site request refused', 'Origin');
    }
    await next();
  };
}
