import Router from '@koa/router';
import type { Authenticate } from '../../application/authenticate.js';
import type { LogOut } from '../../application/log-out.js';
import { jsonBody } from './json-body.js';
import { requestContext } from './request-context.js';
import type { LoginSessions } from './mfa/session-state.js';
import { loginBody } from './schemas.js';
import { endSession, sessionKeyOf, startSession, type Callers } from './session.js';
import { bodyOf } from './validate.js';

export interface AuthRoutes {
  authenticate: Authenticate;
  logOut: LogOut;
}

/** `logins`, when second factors are wired, starts half-done sessions for accounts that have one. */
export function authRouter(uc: AuthRoutes, callers: Callers, logins?: LoginSessions): Router {
  const router = new Router();

  router.post('/login', ...jsonBody(), async (ctx) => {
    // ctx.ip honours X-Forwarded-For only as far as TRUST_PROXY says (app.proxy, app.maxIpsCount).
    const user = await uc.authenticate.execute(bodyOf(ctx, loginBody), requestContext(ctx));
    if (logins && user.secondFactors) {
      await logins.startHalfDone(ctx, user.id);
      ctx.body = { mfaRequired: true, methods: user.secondFactors };
      return;
    }
    if (logins) await logins.startFull(ctx, user.id);
    else await startSession(ctx, user.id);
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
