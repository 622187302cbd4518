import Router from '@koa/router';
import type { ListAuditEntries } from '../../../application/audit/list-audit-entries.js';
import type { ListMyActivity } from '../../../application/audit/list-my-activity.js';
import type { Callers } from '../session.js';
import { queryOf } from '../validate.js';
import { activityQuery, auditQuery } from './audit-schemas.js';

export interface AuditRoutes {
  listAuditEntries: ListAuditEntries;
  listMyActivity: ListMyActivity;
}

/** The audit trail: all of it for admins, and each user's own activity. */
export function auditRouter(uc: AuditRoutes, callers: Callers): Router {
  const router = new Router();

  router.get('/audit', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.listAuditEntries.execute(queryOf(ctx, auditQuery), caller);
  });

  router.get('/users/me/activity', async (ctx) => {
    const caller = await callers.required(ctx);
    ctx.body = await uc.listMyActivity.execute(queryOf(ctx, activityQuery), caller);
  });

  return router;
}
