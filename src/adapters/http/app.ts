import Koa from 'koa';
import type { IdentifyCaller } from '../../application/sessions/identify-caller.js';
import type { Logger } from '../logging/logger.js';
import type { LoadedSession, SessionStore } from '../../application/sessions/ports.js';
import { statusRouter, type StatusRoutes } from './accounts/status-router.js';
import { auditRouter, type AuditRoutes } from './audit/audit-router.js';
import { authRouter, type AuthRoutes } from './auth-router.js';
import { refuseCrossSite } from './cross-site.js';
import { docsRouter } from './docs-router.js';
import { emailRouter, type EmailRoutes } from './email/email-router.js';
import { healthRouter, type ReadinessReport } from './health-router.js';
import { metrics, type MetricSources } from './metrics.js';
import { problemDetails } from './problem-details.js';
import { corsFor, securityHeaders } from './security-headers.js';
import { defaultUiDir, loadUi, uiRouter } from './ui-router.js';
import { requestLog } from './request-log.js';
import type { SecondFactorHttp } from './mfa/index.js';
import { callers, sessions } from './session.js';
import { sessionsRouter, type SessionRoutes } from './sessions/sessions-router.js';
import { jwksRouter, tokensRouter, type TokenRoutes } from './tokens/tokens-router.js';
import type { PublicJwk } from '../../application/tokens/ports.js';
import { userRouter, type UserRoutes } from './user-router.js';

export interface AppOptions {
  useCases: UserRoutes & AuthRoutes & SessionRoutes & TokenRoutes & StatusRoutes & AuditRoutes & EmailRoutes;
  /** Who calls: from the session (cookie or session token) or an access token, decided in the application. */
  identifyCaller: Pick<IdentifyCaller, 'execute'>;
  jwks: { published: () => Promise<PublicJwk[]>; maxAgeSeconds: number };
  sessionStore: SessionStore;
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
  /** Second factors: the login with a second factor, re-authentication, and their routes. */
  secondFactors?: SecondFactorHttp;
  /** The built web UI served at /ui/; dist/ui by default. */
  uiDir?: string;
}

export function createApp(options: AppOptions): Koa {
  const app = new Koa({ keys: options.sessionKeys, proxy: options.trustProxy > 0, maxIpsCount: options.trustProxy });
  app.on('error', (err: unknown, ctx?: Koa.Context) =>
    ((ctx?.state.log as Logger | undefined) ?? options.log).error({ err }, 'unhandled error'),
  );
  const who = callers(options.identifyCaller);
  const uc = options.useCases;
  const mfa = options.secondFactors;
  const routers = [
    userRouter(uc, who),
    authRouter(uc, who, mfa?.sessions),
    sessionsRouter(uc, who),
    tokensRouter(uc, who),
    ...(mfa?.routers(who) ?? []),
  ];
  routers.push(statusRouter(uc, who), auditRouter(uc, who), emailRouter(uc, who));
  const onReplaced = ({ userId, publicId }: LoadedSession) => uc.logOut.execute({ userId: userId!, sessionId: publicId }, 'login-replaced');
  const measured = metrics(options.metrics);
  // Operational routes come before sessions and the cross-site check: they need neither.
  const operational = [
    healthRouter(options.readiness),
    measured.router,
    docsRouter(options.version),
    jwksRouter(options.jwks.published, options.jwks.maxAgeSeconds),
  ];
  const uiFiles = loadUi(options.uiDir ?? defaultUiDir());

  app.use(requestLog(options.log));
  app.use(measured.middleware);
  for (const m of securityHeaders()) app.use(m);
  app.use(problemDetails(options.problemTypeBase));
  app.use(uiRouter(uiFiles)); // static files: no session, no cross-site check (GET only)
  for (const router of operational) app.use(router.routes()).use(router.allowedMethods());
  for (const m of corsFor(options.allowedOrigins)) app.use(m);
  app.use(refuseCrossSite(options.allowedOrigins));
  for (const m of sessions(app, { store: options.sessionStore, idleMs: options.sessionIdleMs, secure: options.cookieSecure, onReplaced })) {
    app.use(m);
  }
  if (mfa) app.use(mfa.gate);
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
