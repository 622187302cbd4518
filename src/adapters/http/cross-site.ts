import type { Middleware } from 'koa';
import { Forbidden } from '../../domain/errors.js';
import { hasBearer } from './sessions/bearer.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses state-changing requests that a browser says come from another site, so a page elsewhere cannot act
 * with the user's session cookie (CSRF), nor log a victim into the attacker's account. Browsers send
 * `Sec-Fetch-Site` (which a page cannot forge) and `Origin`; other clients (services, curl) send neither and
 * are not affected. Origins listed in ALLOWED_ORIGINS are trusted front ends. Together with JSON-only bodies
 * (form and text posts get 415) this closes the simple-request path. A request with an `Authorization: Bearer`
 * credential is not checked: a page elsewhere cannot make a browser attach one (it is no ambient authority,
 * and setting the header needs a CORS preflight), and such a request ignores any cookie it carries.
 */
export function refuseCrossSite(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    if (!SAFE_METHODS.has(ctx.method) && !hasBearer(ctx)) {
      // The header itself, never ctx.origin: in Koa 3 that is this same header, not the service's own origin.
      const origin = ctx.get('Origin');
      const site = ctx.get('Sec-Fetch-Site');
      const sameOrigin = site === 'same-origin' || site === 'none';
      const allowedOrigin = origin !== '' && allowed.has(origin);
      // Older browsers send Origin without Sec-Fetch-Site: accept it when it names our own host. The scheme is
      // not compared because TLS ends at the proxy in front.
      const ownOrigin = site === '' && origin !== '' && hostOf(origin) === ctx.host;
      const fromBrowser = origin !== '' || site !== '';
      if (fromBrowser && !sameOrigin && !allowedOrigin && !ownOrigin) throw new Forbidden('Cross-site request refused', 'Origin');
    }
    await next();
  };
}
