import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import { createApp } from '../adapters/http/app.js';
import { createHttpServer } from '../adapters/http/http-server.js';
import type { Logger } from '../adapters/logging/logger.js';
import { createDb, type DbTarget } from '../adapters/persistence/db.js';
import { describeTarget, explainOpenFailure, targetFields } from '../adapters/persistence/database-target.js';
import { KnexSessionStore } from '../adapters/persistence/knex-session-store.js';
import { Authenticate } from '../application/authenticate.js';
import { ChangePassword } from '../application/change-password.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { DeleteUser } from '../application/delete-user.js';
import { EnsureAdmin } from '../application/ensure-admin.js';
import { GetUser } from '../application/get-user.js';
import { ListUsers } from '../application/list-users.js';
import { LogOut } from '../application/log-out.js';
import { SetAccountStatus } from '../application/accounts/set-account-status.js';
import { PurgeAuditTrail } from '../application/audit/purge-audit-trail.js';
import { ListAuditEntries } from '../application/audit/list-audit-entries.js';
import { ListMyActivity } from '../application/audit/list-my-activity.js';
import { Clock, UserRepository } from '../application/ports.js';
import { secondFactorHttp } from '../adapters/http/mfa/index.js';
import { mfaUseCases } from './modules/mfa.js';
import { ChangeEmail } from '../application/email/change-email.js';
import type { MailRelay } from '../application/email/relay-mail.js';
import { RequestPasswordReset } from '../application/email/request-password-reset.js';
import { ResendVerification } from '../application/email/resend-verification.js';
import { ResetPassword } from '../application/email/reset-password.js';
import { VerifyEmail } from '../application/email/verify-email.js';
import { KnexMailOutbox } from '../adapters/persistence/email/knex-mail-outbox.js';
import { startMailRelay } from './modules/email.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { BoundedPasswordHasher } from '../adapters/crypto/bounded-password-hasher.js';
import { Db, migrateToLatest } from '../adapters/persistence/db.js';
import { KnexOutboxQueue } from '../adapters/persistence/knex-outbox-queue.js';
import { readiness } from './readiness.js';
import { tokenRoutes } from './service-tokens.js';
import { packageVersion } from './version.js';
import { OutboxRelay } from '../application/relay-outbox.js';
import { auditPurgeInApi } from './cluster.js';
import { buildContainer } from './container.js';
import type { Env } from './env.js';
import { startUpAdminRefused } from './start-failure.js';

const SESSION_PURGE_INTERVAL_MS = 10 * 60_000;
const AUDIT_PURGE_TICK_MS = 60_000;

export interface Service {
  server: Server;
  db: Knex;
  relay: OutboxRelay | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the outbox relay when a broker is configured and `wanted`. Without a broker nothing is dropped: the
 * events wait in the outbox until a relay runs.
 */
export function startRelay(env: Env, container: Container, log: Logger, wanted: boolean): OutboxRelay | undefined {
  if (!env.kafka) {
    log.warn('KAFKA_BROKERS is not set: user events stay in the outbox table until a relay publishes them');
    return undefined;
  }
  if (!wanted) {
    log.info('OUTBOX_RELAY_IN_PROCESS=false: events are published by a separate relay (npm run relay)');
    return undefined;
  }
  const relay = container.get(OutboxRelay);
  relay.start();
  log.info({ brokers: env.kafka.brokers, topic: env.kafka.topic }, 'outbox relay started');
  return relay;
}

export function openDb(env: Env, log: Logger): Knex {
  const target = dbTarget(env);
  if (target.kind === 'mysql') {
    log.info({ ...targetFields(target), url: describeTarget(target) }, 'database: MySQL');
    return createDb(target, { max: env.dbPoolMax }, log);
  }
  log.info({ file: env.sqliteFile }, 'DATABASE_URL is not set: using the embedded SQLite database');
  return createDb(target, undefined, log);
}

/** The database the environment names: DATABASE_URL's server, else the embedded SQLite file. */
export function dbTarget(env: Pick<Env, 'databaseUrl' | 'sqliteFile'>): DbTarget {
  return env.databaseUrl ? { kind: 'mysql', url: env.databaseUrl } : { kind: 'sqlite', file: env.sqliteFile };
}

/**
 * Migrates the database just opened: the first statement of the process, so a database that is missing or
 * refuses fails here, as a DatabaseUnavailable that names it (without the password) and says what to do.
 */
export async function migrateOrExplain(db: Knex, env: Pick<Env, 'databaseUrl' | 'sqliteFile'>): Promise<void> {
  try {
    await migrateToLatest(db);
  } catch (err) {
    throw explainOpenFailure(err, dbTarget(env)) ?? err;
  }
}

/** What the running process adds to the wiring: its relay, if any, and whether it is shutting down. */
export interface Runtime {
  relay?: OutboxRelay;
  shuttingDown?: () => boolean;
}

/** The HTTP application over the container's use cases: the same wiring serves production and the tests. */
export function wireApp(env: Env, container: Container, log: Logger, sessionKeys: string[], runtime: Runtime = {}): Koa {
  const queue = new KnexOutboxQueue(container.get<Knex>(Db));
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
    users: container.get<UserRepository>(UserRepository),
    sessionStore: container.get(KnexSessionStore),
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
      mailQueue: () => container.get(KnexMailOutbox).counts(),
      ...(relay && { relay: () => relay.status() }),
    },
  });
}

/** Migrates, creates the start-up admin if configured, and serves the API. */
export async function startService(env: Env, log: Logger): Promise<Service> {
  const db = openDb(env, log);
  try {
    await migrateOrExplain(db, env);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const container = buildContainer(env, db, log);
  await container.get(Authenticate).warmUp();

  if (env.admin) {
    const outcome = await container.get(EnsureAdmin).execute(env.admin).catch(startUpAdminRefused);
    const say = outcome === 'exists-not-admin' ? log.warn.bind(log) : log.info.bind(log);
    say({ username: env.admin.username, outcome }, 'start-up admin');
  }

  let sessionSecret = env.sessionSecret;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    log.warn('SESSION_SECRET is not set: using a random one, so sessions end when this process stops');
  }
  if (!env.mfa.keySecret) {
    log.warn(
      'MFA_KEY_SECRET is not set: using a random one, so one-time codes and recovery codes enrolled now stop working when this process stops',
    );
  }
  if (!env.tokens.keySecret) {
    log.warn('TOKEN_KEY_SECRET is not set: using a random one, so token signing keys are replaced when this process stops');
  }
  const relay = startRelay(env, container, log, env.outbox.relayInProcess);
  // Mail goes out from the process that runs the relay: this one, unless a separate relay does (npm run relay).
  const mailRelay: MailRelay | undefined = env.outbox.relayInProcess ? startMailRelay(env, container, log) : undefined;
  let shuttingDown = false;
  const app = wireApp(env, container, log, [sessionSecret], { relay, shuttingDown: () => shuttingDown });
  const sessionStore = container.get(KnexSessionStore);

  const purge = setInterval(() => {
    sessionStore.purgeExpired().catch((err: unknown) => log.error({ err }, 'purging expired sessions failed'));
  }, SESSION_PURGE_INTERVAL_MS);
  purge.unref();
  // Without a broker no relay runs anywhere, so the audit trail's retention runs here (in a cluster, in worker 1).
  const auditPurge = auditPurgeInApi(env) ? container.get(PurgeAuditTrail).periodically() : undefined;
  const auditTimer = setInterval(() => {
    auditPurge?.().catch((err: unknown) => log.error({ err }, 'purging old audit entries failed'));
  }, AUDIT_PURGE_TICK_MS);
  auditTimer.unref();

  const server = createHttpServer(app, env.http, log).listen(env.port, env.host);
  // Keep-alive clients would go on sending requests on their open connections after the listener closes:
  // once shutting down, every response says `Connection: close`, including those already in flight.
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (shuttingDown) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  log.info({ address }, 'listening');

  return {
    server,
    db,
    relay,
    /**
     * Graceful: readiness turns 503, the listener closes (idle keep-alive connections with it), requests in
     * flight finish (cut off after SHUTDOWN_TIMEOUT_MS), the relay finishes its batch and closes the Kafka
     * producer, then the database pool closes.
     */
    async stop() {
      shuttingDown = true;
      clearInterval(purge);
      clearInterval(auditTimer);
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), env.shutdownTimeoutMs).unref());
      if ((await Promise.race([closed, timeout])) === 'timeout') {
        log.warn({ timeoutMs: env.shutdownTimeoutMs }, 'requests still in flight at the shutdown timeout: closing their connections');
        server.closeAllConnections();
        await closed;
      }
      await relay?.stop();
      await mailRelay?.stop();
      await container.get(BcryptPasswordHasher).close();
      await db.destroy();
      log.info('stopped');
    },
  };
}
