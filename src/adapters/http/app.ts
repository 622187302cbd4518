import Koa from 'koa';
import type { UserRepository } from '../../application/ports.js';
import type { Logger } from '../logging/logger.js';
import type { KnexSessionStore } from '../persistence/knex-session-store.js';
import { authRouter, type AuthRoutes } from './auth-router.js';
import { refuseCrossSite } from './cross-site.js';
import { docsRouter } from './docs-router.js';
import { emailRouter, type EmailRoutes } from './email/email-router.js';
import { healthRouter, type ReadinessReport } from './health-router.js';
import { metrics, type MetricSources } from './metrics.js';
import { problemDetails } from './problem-details.js';
import { corsFor, securityHeaders } from './security-headers.js';
import { requestLog } from './request-log.js';
import { callers, sessions } from './session.js';
import { userRouter, type UserRoutes } from './user-router.js';

export interface AppOptions {
  useCases: UserRoutes & AuthRoutes & EmailRoutes;
  users: UserRepository;
  sessionStore: KnexSessionStore;
  log: Logger;
  /** Keys that sign the session cookie; the first signs, all verify (rotation). */
  sessionKeys: string[];
  sessionIdleMs: number;
  cookieSecure: boolean;
  problemTypeBase: string;
  /** Proxies in front to trust for X-Forwarded-For; 0 uses the socket's address. */
  trustProxy: number;
  allowedOrigins: string[];
  version: string;
  readiness: () => Promise<ReadinessReport>;
  metrics: MetricSources;
}

export function createApp(options: AppOptions): Koa {
  const app = new Koa({ keys: options.sessionKeys, proxy: options.trustProxy > 0, maxIpsCount: options.trustProxy });
  app.on('error', (err, ctx) => (ctx?.state.log ?? options.log).error({ err }, 'unhandled error'));
  const who = callers(options.users);
  const routers = [userRouter(options.useCases, who), authRouter(options.useCases, who), emailRouter(options.useCases, who)];
  const measured = metrics(options.metrics);
  // Operational routes come before sessions and the cross-site check: they need neither.
  const operational = [healthRouter(options.readiness), measured.router, docsRouter(options.version)];

  app.use(requestLog(options.log));
  app.use(measured.middleware);
  for (const m of securityHeaders()) app.use(m);
  app.use(problemDetails(options.problemTypeBase));
  for (const router of operational) app.use(router.routes()).use(router.allowedMethods());
  for (const m of corsFor(options.allowedOrigins)) app.use(m);
  app.use(refuseCrossSite(options.allowedOrigins));
  for (const m of sessions(app, { store: options.sessionStore, idleMs: options.sessionIdleMs, secure: options.cookieSecure })) {
    app.use(m);
  }
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
