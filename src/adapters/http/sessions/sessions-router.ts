import { requestContext } from '../request-context.js';
import Router from '@koa/router';
import type { SessionInfo } from '../../../application/ports.js';
import type { EndSession } from '../../../application/sessions/end-session.js';
import type { EndSessions } from '../../../application/sessions/end-sessions.js';
import type { ListSessions } from '../../../application/sessions/list-sessions.js';
import type { Callers } from '../session.js';
import { ME } from '../user-router.js';

export interface SessionRoutes {
  listSessions: ListSessions;
  endSession: EndSession;
  endSessions: EndSessions;
}

const view = (s: SessionInfo, currentId: string | undefined) => ({
  id: s.id,
  current: s.id === currentId,
  type: s.type,
  createdAt: s.createdAt,
  lastSeenAt: s.lastSeenAt,
  expiresAt: s.expiresAt,
  ip: s.ip,
  userAgent: s.userAgent,
});

/** The caller's own sessions under /sessions; any user's, for an admin, under /users/{id}/sessions. */
export function sessionsRouter(uc: SessionRoutes, callers: Callers): Router {
  const router = new Router();

  router.get('/sessions', async (ctx) => {
    const caller = await callers.required(ctx);
    const sessions = await uc.listSessions.execute({ userId: caller.userId }, caller);
    ctx.body = { sessions: sessions.map((s) => view(s, caller.sessionId)) };
  });

  router.delete('/sessions', async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.endSessions.execute({ userId: caller.userId, keep: caller.sessionId }, caller, requestContext(ctx));
    ctx.status = 204;
  });

  router.delete('/sessions/:id', async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.endSession.execute({ sessionId: ctx.params.id! }, caller, requestContext(ctx));
    ctx.status = 204;
  });

  router.get('/users/:id/sessions', async (ctx) => {
    const caller = await callers.required(ctx);
    const sessions = await uc.listSessions.execute({ userId: ctx.params.id === ME ? caller.userId : ctx.params.id! }, caller);
    ctx.body = { sessions: sessions.map((s) => view(s, caller.sessionId)) };
  });

  router.delete('/users/:id/sessions', async (ctx) => {
    const caller = await callers.required(ctx);
    await uc.endSessions.execute({ userId: ctx.params.id === ME ? caller.userId : ctx.params.id! }, caller, requestContext(ctx));
    ctx.status = 204;
  });

  return router;
}
