import Router from '@koa/router';
import type { ChangeEmail } from '../../../application/email/change-email.js';
import type { RequestPasswordReset } from '../../../application/email/request-password-reset.js';
import type { ResendVerification } from '../../../application/email/resend-verification.js';
import type { ResetPassword } from '../../../application/email/reset-password.js';
import type { VerifyEmail } from '../../../application/email/verify-email.js';
import { jsonBody } from '../json-body.js';
import { refuseOwnChangeByAccessToken } from '../mfa/gate.js';
import type { Callers } from '../session.js';
import { bodyOf } from '../validate.js';
import { changeEmailBody, FORGOT_ANSWER, forgotPasswordBody, resetPasswordBody, verifyEmailBody } from './schemas.js';
import { ME } from '../user-router.js';

export interface EmailRoutes {
  changeEmail: ChangeEmail;
  verifyEmail: VerifyEmail;
  resendVerification: ResendVerification;
  requestPasswordReset: RequestPasswordReset;
  resetPassword: ResetPassword;
}

/** Addresses, verification and password recovery. ctx.ip honours X-Forwarded-For only as far as TRUST_PROXY says. */
export function emailRouter(uc: EmailRoutes, callers: Callers): Router {
  const router = new Router();
  const json = jsonBody();

  router.put('/users/:id/email', ...json, async (ctx) => {
    const caller = await callers.required(ctx);
    refuseOwnChangeByAccessToken(caller, ctx.params.id!);
    const body = bodyOf(ctx, changeEmailBody);
    ctx.body = await uc.changeEmail.execute({ userId: ctx.params.id === ME ? caller.userId : ctx.params.id!, ...body }, caller, {
      client: ctx.ip,
    });
  });

  router.post('/email/verify', ...json, async (ctx) => {
    await uc.verifyEmail.execute(bodyOf(ctx, verifyEmailBody), { client: ctx.ip });
    ctx.status = 204;
  });

  router.post('/email/verify/resend', async (ctx) => {
    await uc.resendVerification.execute(await callers.required(ctx));
    ctx.status = 202;
  });

  // The same 202 and body whatever the account: the answer tells nothing about who has an account.
  router.post('/password/forgot', ...json, async (ctx) => {
    await uc.requestPasswordReset.execute(bodyOf(ctx, forgotPasswordBody), { client: ctx.ip });
    ctx.status = 202;
    ctx.body = FORGOT_ANSWER;
  });

  // Does not log in: the user logs in with the new password, like everybody else.
  router.post('/password/reset', ...json, async (ctx) => {
    await uc.resetPassword.execute(bodyOf(ctx, resetPasswordBody), { client: ctx.ip });
    ctx.status = 204;
  });

  return router;
}
