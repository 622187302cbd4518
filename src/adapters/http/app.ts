import Koa from 'koa';
import type { UserRepository } from '../../application/ports.js';
import type { Logger } from '../logging/logger.js';
import type { KnexSessionStore } from '../persistence/knex-session-store.js';
import { authRouter, type AuthRoutes } from './auth-router.js';
import { problemDetails } from './problem-details.js';
import { requestLog } from './request-log.js';
import { callers, sessions } from './session.js';
import { userRouter, type UserRoutes } from './user-router.js';

export interface AppOptions {
  useCases: UserRoutes & AuthRoutes;
  users: UserRepository;
  sessionStore: KnexSessionStore;
  log: Logger;
  /** Keys that sign the session cookie; the first signs, all verify (rotation). */
  sessionKeys: string[];
  sessionIdleMs: number;
  cookieSecure: boolean;
  problemTypeBase: string;
}

export function createApp(options: AppOptions): Koa {
  const app = new Koa({ keys: options.sessionKeys });
  app.on('error', (err, ctx) => (ctx?.state.log ?? options.log).error({ err }, 'unhandled error'));
  const who = callers(options.users);
  const routers = [userRouter(options.useCases, who), authRouter(options.useCases, who)];

  app.use(requestLog(options.log));
  app.use(problemDetails(options.problemTypeBase));
  for (const m of sessions(app, { store: options.sessionStore, idleMs: options.sessionIdleMs, secure: options.cookieSecure })) {
    app.use(m);
  }
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
