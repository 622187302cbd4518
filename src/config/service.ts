import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import { createApp } from '../adapters/http/app.js';
import type { Logger } from '../adapters/logging/logger.js';
import { createDb } from '../adapters/persistence/db.js';
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
import { UserRepository } from '../application/ports.js';
import { OutboxRelay } from '../application/relay-outbox.js';
import { buildContainer } from './container.js';
import type { Env } from './env.js';

const SESSION_PURGE_INTERVAL_MS = 10 * 60_000;

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
  if (env.databaseUrl) return createDb({ kind: 'mysql', url: env.databaseUrl }, { max: env.dbPoolMax });
  log.info({ file: env.sqliteFile }, 'DATABASE_URL is not set: using the embedded SQLite database');
  return createDb({ kind: 'sqlite', file: env.sqliteFile });
}

/** The HTTP application over the container's use cases: the same wiring serves production and the tests. */
export function wireApp(env: Env, container: Container, log: Logger, sessionKeys: string[]): Koa {
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
    },
    users: container.get<UserRepository>(UserRepository),
    sessionStore: container.get(KnexSessionStore),
    log,
    sessionKeys,
    sessionIdleMs: env.sessionIdleMs,
    cookieSecure: env.sessionCookieSecure,
    problemTypeBase: env.problemTypeBase,
    trustProxy: env.trustProxy,
    allowedOrigins: env.allowedOrigins,
  });
}

/** Migrates, creates the start-up admin if configured, and serves the API. */
export async function startService(env: Env, log: Logger): Promise<Service> {
  const db = openDb(env, log);
  await db.migrate.latest();
  const container = buildContainer(env, db, log);
  await container.get(Authenticate).warmUp();

  if (env.admin) {
    const outcome = await container.get(EnsureAdmin).execute(env.admin);
    const say = outcome === 'exists-not-admin' ? log.warn.bind(log) : log.info.bind(log);
    say({ username: env.admin.username, outcome }, 'start-up admin');
  }

  let sessionSecret = env.sessionSecret;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    log.warn('SESSION_SECRET is not set: using a random one, so sessions end when this process stops');
  }
  const app = wireApp(env, container, log, [sessionSecret]);
  const sessionStore = container.get(KnexSessionStore);

  const relay = startRelay(env, container, log, env.outbox.relayInProcess);

  const purge = setInterval(() => {
    sessionStore.purgeExpired().catch((err: unknown) => log.error({ err }, 'purging expired sessions failed'));
  }, SESSION_PURGE_INTERVAL_MS);
  purge.unref();

  const server = app.listen(env.port, env.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  log.info({ address }, 'listening');

  return {
    server,
    db,
    relay,
    async stop() {
      clearInterval(purge);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay?.stop();
      await db.destroy();
    },
  };
}
