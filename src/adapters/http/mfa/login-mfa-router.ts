import { rememberDevice } from '../sessions/device-cookie.js';
import Router from '@koa/router';
import type { CompleteLogin } from '../../../application/mfa/complete-login.js';
import type { Reauthenticate } from '../../../application/mfa/reauthenticate.js';
import type { SecondFactorOptions } from '../../../application/mfa/second-factor-options.js';
import { jsonBody } from '../json-body.js';
import { requestContext } from '../request-context.js';
import type { Callers } from '../session.js';
import { bodyOf } from '../validate.js';
import { reauthenticateBody, secondFactorBody } from './schemas.js';
import type { LoginSessions } from './session-state.js';

export interface LoginMfaRoutes {
  completeLogin: CompleteLogin;
  secondFactorOptions: SecondFactorOptions;
  reauthenticate: Reauthenticate;
}

/** Finishing a login with the second factor, and re-authenticating before a sensitive change. */
export function loginMfaRouter(uc: LoginMfaRoutes, callers: Callers, sessions: LoginSessions): Router {
  const router = new Router();
  const json = jsonBody();

  router.post('/login/mfa/webauthn/options', async (ctx) => {
    ctx.body = await uc.secondFactorOptions.execute({ userId: sessions.pendingUserId(ctx) });
  });

  router.post('/login/mfa', ...json, async (ctx) => {
    const userId = sessions.pendingUserId(ctx);
    const user = await uc.completeLogin.execute({ userId, proof: bodyOf(ctx, secondFactorBody) }, requestContext(ctx));
    const sessionToken = await sessions.startFull(ctx, user.id);
    rememberDevice(ctx, user.username);
    if (sessionToken) ctx.set('Cache-Control', 'no-store');
    ctx.body = { id: user.id, username: user.username, role: user.role, ...(sessionToken && { sessionToken }) };
  });

  router.post('/reauthenticate/webauthn/options', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.secondFactorOptions.execute({ userId: caller.userId });
  });

  router.post('/reauthenticate', ...json, async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.reauthenticate.execute({ userId: caller.userId, proof: bodyOf(ctx, reauthenticateBody) }, requestContext(ctx));
    sessions.markReauthenticated(ctx);
    ctx.status = 204;
  });

  return router;
}
