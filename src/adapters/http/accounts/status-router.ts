import Router from '@koa/router';
import type { SetAccountStatus } from '../../../application/accounts/set-account-status.js';
import { jsonBody } from '../json-body.js';
import { pathUserId } from '../user-router.js';
import { requestContext } from '../request-context.js';
import type { Callers } from '../session.js';
import { bodyOf } from '../validate.js';
import { changeStatusBody } from './status-schemas.js';

export interface StatusRoutes {
  setAccountStatus: SetAccountStatus;
}

/** PUT /users/{id}/status: an admin disables an account (its sessions end) or enables it again. */
export function statusRouter(uc: StatusRoutes, callers: Callers): Router {
  const router = new Router({ prefix: '/users' });
  router.put('/:id/status', ...jsonBody(), async (ctx) => {
    const caller = await callers.required(ctx);
    const body = bodyOf(ctx, changeStatusBody);
    ctx.body = await uc.setAccountStatus.execute({ userId: pathUserId(ctx, caller), ...body }, caller, requestContext(ctx));
  });
  return router;
}
