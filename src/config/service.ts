import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import { createHttpServer } from '../adapters/http/http-server.js';
import type { Logger } from '../adapters/logging/logger.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { SessionStore } from '../application/sessions/ports.js';
import { Authenticate } from '../application/sessions/authenticate.js';
import { PurgeAuditTrail } from '../application/audit/purge-audit-trail.js';
import type { MailRelay } from '../application/email/relay-mail.js';
import { EnsureAdmin } from '../application/accounts/ensure-admin.js';
import type { OutboxRelay } from '../application/outbox/relay-outbox.js';
import { wireApp } from './api.js';
import { auditPurgeInApi } from './cluster.js';
import { buildContainer } from './container.js';
import { migrateOrExplain, openDb } from './database.js';
import type { Env } from './env.js';
import { startMailRelay } from './modules/email.js';
import { startRelay } from './modules/outbox.js';
import { startUpAdminRefused } from './start-failure.js';

const SESSION_PURGE_INTERVAL_MS = 10 * 60_000;
const AUDIT_PURGE_TICK_MS = 60_000;

export interface Service {
  server: Server;
  db: Knex;
  relay: OutboxRelay | undefined;
  stop(): Promise<void>;
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
  // The dummy hash that a login with an unknown name is checked against is made on the bcrypt threads while the
  // rest starts and the listener opens (a login that comes first waits for the same one); a bcrypt that cannot
  // hash still stops the start-up, below.
  const warmedUp = container.get(Authenticate).warmUp();
  warmedUp.catch(() => undefined); // awaited once listening; this only keeps an earlier failure from going unhandled

  if (env.admin) {
    const outcome = await container
      .get(EnsureAdmin)
      .execute(env.admin)
      .catch(async (err: unknown) => {
        // Nothing is served: the hashing threads and the database close before the refusal is reported.
        await container.get(BcryptPasswordHasher).close();
        await db.destroy();
        return startUpAdminRefused(err);
      });
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
  const sessionStore = container.get<SessionStore>(SessionStore);

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

  const { server, handlersSettled } = createHttpServer(app, env.http, log);
  server.listen(env.port, env.host);
  // Keep-alive clients would go on sending requests on their open connections after the listener closes:
  // once shutting down, every response says `Connection: close`, including those already in flight.
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (shuttingDown) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  await warmedUp;
  const address = server.address();
  log.info({ address }, 'listening');

  return {
    server,
    db,
    relay,
    /**
     * Graceful: readiness turns 503, the listener closes (idle keep-alive connections with it), requests in
     * flight finish (cut off after SHUTDOWN_TIMEOUT_MS), and so do the handlers whose clients hung up (a login
     * still waiting for bcrypt); the relay finishes its batch and closes the Kafka producer, the hashing threads
     * finish what they were given, then the database pool closes.
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
      if ((await Promise.race([handlersSettled(), timeout])) === 'timeout') {
        log.warn({ timeoutMs: env.shutdownTimeoutMs }, 'request handlers still running at the shutdown timeout: stopping anyway');
      }
      await relay?.stop();
      await mailRelay?.stop();
      await container.get(BcryptPasswordHasher).close();
      await db.destroy();
      log.info('stopped');
    },
  };
}
