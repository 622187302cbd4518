import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import { createApp } from '../adapters/http/app.js';
import { secondFactorHttp } from '../adapters/http/mfa/index.js';
import { BoundedPasswordHasher } from '../adapters/crypto/bounded-password-hasher.js';
import type { Logger } from '../adapters/logging/logger.js';
import { Db } from '../adapters/persistence/db.js';
import { SessionStore } from '../application/sessions/ports.js';
import { SetAccountStatus } from '../application/accounts/set-account-status.js';
import { ListAuditEntries } from '../application/audit/list-audit-entries.js';
import { ListMyActivity } from '../application/audit/list-my-activity.js';
import { Authenticate } from '../application/sessions/authenticate.js';
import { ChangePassword } from '../application/accounts/change-password.js';
import { ChangeRole } from '../application/accounts/change-role.js';
import { CreateUser } from '../application/accounts/create-user.js';
import { DeleteUser } from '../application/accounts/delete-user.js';
import { ChangeEmail } from '../application/email/change-email.js';
import { MailReport } from '../application/email/ports.js';
import { RequestPasswordReset } from '../application/email/request-password-reset.js';
import { ResendVerification } from '../application/email/resend-verification.js';
import { ResetPassword } from '../application/email/reset-password.js';
import { VerifyEmail } from '../application/email/verify-email.js';
import { GetUser } from '../application/accounts/get-user.js';
import { ListUsers } from '../application/accounts/list-users.js';
import { IdentifyCaller } from '../application/sessions/identify-caller.js';
import { LogOut } from '../application/sessions/log-out.js';
import { OutboxQueue } from '../application/outbox/ports.js';
import { Clock, UserRepository } from '../application/ports.js';
import type { OutboxRelay } from '../application/outbox/relay-outbox.js';
import type { Env } from './env.js';
import { mfaUseCases } from './modules/mfa.js';
import { readiness } from './readiness.js';
import { tokenRoutes } from './service-tokens.js';
import { packageVersion } from './version.js';

/** What the running process adds to the wiring: its relay, if any, and whether it is shutting down. */
export interface Runtime {
  relay?: OutboxRelay;
  shuttingDown?: () => boolean;
}

/** The HTTP application over the container's use cases: the same wiring serves production and the tests. */
export function wireApp(env: Env, container: Container, log: Logger, sessionKeys: string[], runtime: Runtime = {}): Koa {
  const queue = container.get<OutboxQueue>(OutboxQueue);
  const hasher = container.get(BoundedPasswordHasher);
  const relay = runtime.relay;
  return createApp({
    useCases: {
      createUser: container.get(CreateUser),
      authenticate: container.get(Authenticate),
      getUser: container.get(GetUser),
      listUsers: container.get(ListUsers),
      changePassword: container.get(ChangePassword),
      changeRole: container.get(ChangeRole),
      deleteUser: container.get(DeleteUser),
      logOut: container.get(LogOut),
      setAccountStatus: container.get(SetAccountStatus),
      listAuditEntries: container.get(ListAuditEntries),
      listMyActivity: container.get(ListMyActivity),
      ...tokenRoutes(container).useCases,
      changeEmail: container.get(ChangeEmail),
      verifyEmail: container.get(VerifyEmail),
      resendVerification: container.get(ResendVerification),
      requestPasswordReset: container.get(RequestPasswordReset),
      resetPassword: container.get(ResetPassword),
    },
    ...tokenRoutes(container).options,
    identifyCaller: container.get(IdentifyCaller),
    sessionStore: container.get<SessionStore>(SessionStore),
    log,
    sessionKeys,
    sessionIdleMs: env.sessionIdleMs,
    cookieSecure: env.sessionCookieSecure,
    problemTypeBase: env.problemTypeBase,
    trustProxy: env.trustProxy,
    allowedOrigins: env.allowedOrigins,
    version: packageVersion(),
    readiness: readiness({
      db: container.get<Knex>(Db),
      queue,
      relay,
      relayElsewhere: env.kafka ? 'external' : 'disabled',
      shuttingDown: runtime.shuttingDown ?? (() => false),
    }),
    secondFactors: secondFactorHttp({
      useCases: mfaUseCases(container),
      users: container.get<UserRepository>(UserRepository),
      clock: container.get<Clock>(Clock),
      reauthWindowMs: env.mfa.reauthWindowMs,
      requiredForAdmins: env.mfa.requiredForAdmins,
    }),
    metrics: {
      bcryptDepth: () => hasher.depth,
      outboxLag: () => queue.lag(new Date()),
      mailQueue: () => container.get<MailReport>(MailReport).counts(),
      ...(relay && { relay: () => relay.status() }),
    },
  });
}
