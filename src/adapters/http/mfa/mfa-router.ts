import { requestContext } from '../request-context.js';
import Router from '@koa/router';
import type { ConfirmTotp } from '../../../application/mfa/confirm-totp.js';
import type { DisableTotp } from '../../../application/mfa/disable-totp.js';
import type { EnrolTotp } from '../../../application/mfa/enrol-totp.js';
import type { RegenerateRecoveryCodes } from '../../../application/mfa/regenerate-recovery-codes.js';
import type { SecondFactors } from '../../../application/mfa/second-factors.js';
import { jsonBody } from '../json-body.js';
import type { Callers } from '../session.js';
import { bodyOf } from '../validate.js';
import { codeBody } from './schemas.js';
import type { LoginSessions } from './session-state.js';

export interface MfaRoutes {
  secondFactors: SecondFactors;
  enrolTotp: EnrolTotp;
  confirmTotp: ConfirmTotp;
  disableTotp: DisableTotp;
  regenerateRecoveryCodes: RegenerateRecoveryCodes;
}

/** One-time codes and recovery codes of the caller. Every change needs a recent authentication. */
export function mfaRouter(uc: MfaRoutes, callers: Callers, sessions: LoginSessions): Router {
  const router = new Router({ prefix: '/mfa' });

  router.get('/', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.secondFactors.status(caller.userId);
  });

  router.post('/totp', async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    ctx.body = await uc.enrolTotp.execute({ userId: caller.userId });
  });

  router.post('/totp/confirm', ...jsonBody(), async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    const { code } = bodyOf(ctx, codeBody);
    ctx.body = await uc.confirmTotp.execute({ userId: caller.userId, code }, requestContext(ctx));
  });

  router.delete('/totp', async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    await uc.disableTotp.execute({ userId: caller.userId }, requestContext(ctx));
    ctx.status = 204;
  });

  router.post('/recovery-codes', async (ctx) => {
    const caller = await callers.required(ctx);
    sessions.requireRecent(ctx);
    ctx.body = await uc.regenerateRecoveryCodes.execute({ userId: caller.userId });
  });

  return router;
}
