import Router from '@koa/router';
import type { Authenticate } from '../../application/sessions/authenticate.js';
import type { LogOut } from '../../application/sessions/log-out.js';
import { jsonBody } from './json-body.js';
import { requestContext } from './request-context.js';
import type { LoginSessions } from './mfa/session-state.js';
import { loginBody } from './schemas.js';
import { endSession, startSession, type Callers } from './session.js';
import { bodyOf } from './validate.js';
import { knownDevice, rememberDevice } from './sessions/device-cookie.js';

export interface AuthRoutes {
  authenticate: Authenticate;
  logOut: LogOut;
}

/** `logins`, when second factors are wired, starts half-done sessions for accounts that have one. */
export function authRouter(uc: AuthRoutes, callers: Callers, logins?: LoginSessions): Router {
  const router = new Router();

  router.post('/login', ...jsonBody(), async (ctx) => {
    // ctx.ip honours X-Forwarded-For only as far as TRUST_PROXY says (app.proxy, app.maxIpsCount).
    const { session = 'cookie', ...credentials } = bodyOf(ctx, loginBody);
    const user = await uc.authenticate.execute({ ...credentials, device: knownDevice(ctx) }, requestContext(ctx));
    if (logins && user.secondFactors) {
      const sessionToken = await logins.startHalfDone(ctx, user.id, session);
      if (sessionToken) ctx.set('Cache-Control', 'no-store');
      ctx.body = { mfaRequired: true, methods: user.secondFactors, ...(sessionToken && { sessionToken }) };
      return;
    }
    const sessionToken = logins ? await logins.startFull(ctx, user.id, session) : await startSession(ctx, user.id, session);
    if (sessionToken) ctx.set('Cache-Control', 'no-store');
    rememberDevice(ctx, user.username);
    ctx.body = { id: user.id, username: user.username, role: user.role, ...(sessionToken && { sessionToken }) };
  });

  router.post('/logout', async (ctx) => {
    const caller = await callers.required(ctx);
    if (caller.sessionId) await uc.logOut.execute({ userId: caller.userId, sessionId: caller.sessionId }, 'logout', requestContext(ctx));
    endSession(ctx);
    ctx.status = 204;
  });

  return router;
}
