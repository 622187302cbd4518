import { rememberDevice } from '../sessions/device-cookie.js';
import Router from '@koa/router';
import type { DeletePasskey, ListPasskeys } from '../../../application/mfa/manage-passkeys.js';
import type { PasskeyLogin } from '../../../application/mfa/passkey-login.js';
import type { RegisterPasskey } from '../../../application/mfa/register-passkey.js';
import { jsonBody } from '../json-body.js';
import { requestContext } from '../request-context.js';
import type { Callers } from '../session.js';
import { bodyOf } from '../validate.js';
import { passkeyLoginBody, passkeyLoginOptionsBody, registerPasskeyBody } from './schemas.js';
import type { LoginSessions } from './session-state.js';

export interface WebAuthnRoutes {
  registerPasskey: RegisterPasskey;
  listPasskeys: ListPasskeys;
  deletePasskey: DeletePasskey;
  passkeyLogin: PasskeyLogin;
}

/** Passkeys: registration and management (recent authentication for changes), and signing in without a password. */
export function webauthnRouter(uc: WebAuthnRoutes, callers: Callers, sessions: LoginSessions): Router {
  const router = new Router({ prefix: '/webauthn' });
  const json = jsonBody();

  router.post('/register/options', async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    ctx.body = await uc.registerPasskey.options({ userId: caller.userId });
  });

  router.post('/register', ...json, async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    const body = bodyOf(ctx, registerPasskeyBody);
    ctx.status = 201;
    ctx.body = await uc.registerPasskey.execute({ userId: caller.userId, response: body.response, name: body.name }, requestContext(ctx));
  });

  router.get('/credentials', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = { credentials: await uc.listPasskeys.execute({ userId: caller.userId }) };
  });

  router.delete('/credentials/:id', async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    await uc.deletePasskey.execute({ userId: caller.userId, passkeyId: ctx.params.id! }, requestContext(ctx));
    ctx.status = 204;
  });

  router.post('/login/options', ...json, async (ctx) => {
    ctx.body = await uc.passkeyLogin.options(bodyOf(ctx, passkeyLoginOptionsBody));
  });

  // The same answer and session as a full login; failures count against the login throttle (429 over it).
  router.post('/login', ...json, async (ctx) => {
    const user = await uc.passkeyLogin.execute(bodyOf(ctx, passkeyLoginBody), requestContext(ctx));
    const sessionToken = await sessions.startFull(ctx, user.id);
    rememberDevice(ctx, user.username);
    if (sessionToken) ctx.set('Cache-Control', 'no-store');
    ctx.body = { id: user.id, username: user.username, role: user.role, ...(sessionToken && { sessionToken }) };
  });

  return router;
}
