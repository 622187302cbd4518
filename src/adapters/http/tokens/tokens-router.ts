import Router from '@koa/router';
import type { IssueAccessToken } from '../../../application/tokens/issue-access-token.js';
import type { PublicJwk } from '../../../application/tokens/ports.js';
import type { Callers } from '../session.js';

export interface TokenRoutes {
  issueAccessToken: IssueAccessToken;
}

/**
 * POST /token: an access token for the caller's session. Only the session itself (cookie or session token) may
 * ask: an access token cannot be traded for a fresh one, so a token's life is never stretched past its session.
 */
export function tokensRouter(uc: TokenRoutes, callers: Callers): Router {
  const router = new Router();
  router.post('/token', async (ctx) => {
    const caller = await callers.withSession(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await uc.issueAccessToken.execute(caller);
  });
  return router;
}

/** The public keys other services verify access tokens with, cacheable for less than a new key's lead. */
export function jwksRouter(published: () => Promise<PublicJwk[]>, maxAgeSeconds: number): Router {
  const router = new Router();
  router.get('/.well-known/jwks.json', async (ctx) => {
    const keys = await published();
    ctx.set('Cache-Control', `public, max-age=${maxAgeSeconds}`);
    ctx.body = { keys };
  });
  return router;
}
