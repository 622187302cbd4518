import Router from '@koa/router';
import type { Authenticate } from '../../application/authenticate.js';
import type { LogOut } from '../../application/log-out.js';
import { jsonBody } from './json-body.js';
import { requestContext } from './request-context.js';
import { loginBody } from './schemas.js';
import { endSession, sessionKeyOf, startSession, type Callers } from './session.js';
import { bodyOf } from './validate.js';

export interface AuthRoutes {
  authenticate: Authenticate;
  logOut: LogOut;
}

export function authRouter(uc: AuthRoutes, callers: Callers): Router {
  const router = new Router();

  router.post('/login', ...jsonBody(), async (ctx) => {
    // ctx.ip honours X-Forwarded-For only as far as TRUST_PROXY says (app.proxy, app.maxIpsCount).
    const user = await uc.authenticate.execute(bodyOf(ctx, loginBody), requestContext(ctx));
    await startSession(ctx, user.id);
    ctx.body = { id: user.id, username: user.username, role: user.role };
  });

  router.post('/logout', async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.logOut.execute({ sessionKey: sessionKeyOf(ctx)!, userId: caller.userId }, requestContext(ctx));
    endSession(ctx);
    ctx.status = 204;
  });

  return router;
}
