import { Container } from 'inversify';
import type { Knex } from 'knex';
import { Authenticate } from '../application/authenticate.js';
import { ChangePassword } from '../application/change-password.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { DeleteUser } from '../application/delete-user.js';
import { EnsureAdmin } from '../application/ensure-admin.js';
import { GetUser } from '../application/get-user.js';
import { UnlockAccount } from '../application/accounts/unlock-account.js';
import { ListUsers } from '../application/list-users.js';
import { LogOut } from '../application/log-out.js';
import {
  Clock,
  CommonPasswords,
  IdGenerator,
  LoginThrottle,
  LoginThrottleReset,
  OutboxSignal,
  PasswordHasher,
  RegistrationThrottle,
  Sessions,
  UnitOfWork,
  UserRepository,
} from '../application/ports.js';
import { BoundedPasswordHasher } from '../adapters/crypto/bounded-password-hasher.js';
import { ZxcvbnCommonPasswords } from '../adapters/crypto/zxcvbn-common-passwords.js';
import { SqlThrottleRows } from '../adapters/throttling/sql-throttle-rows.js';
import { WindowedLoginThrottle } from '../adapters/throttling/windowed-login-throttle.js';
import { RateLimiterRegistrationThrottle } from '../adapters/throttling/rate-limiter-registration-throttle.js';
import { OutboxRelay } from '../application/relay-outbox.js';
import { createKafka } from '../adapters/messaging/kafka-client.js';
import { KafkaEventPublisher } from '../adapters/messaging/kafka-event-publisher.js';
import { KnexOutboxQueue } from '../adapters/persistence/knex-outbox-queue.js';
import { InProcessLock, MySqlNamedLock } from '../adapters/persistence/relay-locks.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { UuidIdGenerator } from '../adapters/ids/uuid-id-generator.js';
import { Log, type Logger } from '../adapters/logging/logger.js';
import { databaseName, Db, isSqlite, mysqlConnection } from '../adapters/persistence/db.js';
import { KnexSessionStore } from '../adapters/persistence/knex-session-store.js';
import { KnexSessions } from '../adapters/persistence/knex-sessions.js';
import { KnexUnitOfWork } from '../adapters/persistence/knex-unit-of-work.js';
import { ObjectionUserRepository } from '../adapters/persistence/objection-user-repository.js';
import type { Env } from './env.js';
import { bindAudit } from './audit-module.js';
import { PurgeAuditTrail } from '../application/audit/purge-audit-trail.js';
import { bindMfa } from './modules/mfa.js';
import { bindTokens } from './container-tokens.js';
import { bindEmail } from './modules/email.js';

/** The composition root: the only place that knows every concrete class. */
export function buildContainer(env: Env, db: Knex, log: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<Knex>(Db).toConstantValue(db);
  container.bind<Logger>(Log).toConstantValue(log);
  container.bind<Clock>(Clock).toConstantValue({ now: () => new Date() });
  container.bind<IdGenerator>(IdGenerator).toConstantValue(new UuidIdGenerator());
  const bcrypt = new BcryptPasswordHasher(env.bcryptCost, env.bcryptThreads);
  container.bind(BcryptPasswordHasher).toConstantValue(bcrypt); // closed at shutdown
  const hasher = new BoundedPasswordHasher(bcrypt, env.bcryptMaxPending, env.bcryptMaxPendingHashes);
  container.bind(BoundedPasswordHasher).toConstantValue(hasher); // for its queue depth metric
  container.bind<PasswordHasher>(PasswordHasher).toConstantValue(hasher);
  container.bind<CommonPasswords>(CommonPasswords).toConstantValue(new ZxcvbnCommonPasswords());
  const database = databaseName(db);
  const loginThrottle = new WindowedLoginThrottle(env.loginLimits, new SqlThrottleRows(db));
  container.bind<LoginThrottle>(LoginThrottle).toConstantValue(loginThrottle);
  container.bind<LoginThrottleReset>(LoginThrottleReset).toConstantValue(loginThrottle);
  container
    .bind<RegistrationThrottle>(RegistrationThrottle)
    .toConstantValue(new RateLimiterRegistrationThrottle(env.registerLimits, { kind: 'database', db, database }));
  container.bind<UnitOfWork>(UnitOfWork).to(KnexUnitOfWork);
  container.bind<UserRepository>(UserRepository).toConstantValue(new ObjectionUserRepository(db));
  container.bind<Sessions>(Sessions).toConstantValue(new KnexSessions(db));
  container.bind(KnexSessionStore).toConstantValue(new KnexSessionStore(db, env.sessionAbsoluteMs));
  container.bind(CreateUser).toSelf();
  container.bind(Authenticate).toSelf();
  container.bind(GetUser).toSelf();
  container.bind(UnlockAccount).toSelf();
  container.bind(ListUsers).toSelf();
  container.bind(ChangePassword).toSelf();
  container.bind(ChangeRole).toSelf();
  container.bind(DeleteUser).toSelf();
  container.bind(LogOut).toSelf();
  container.bind(EnsureAdmin).toSelf();
  bindAudit(container, env, db, log);
  bindMfa(container, env, db);
  bindTokens(container, env, db, log);
  bindRelay(container, env, db, log);
  bindEmail(container, env, db, log);
  return container;
}

/**
 * The outbox relay, when a broker is configured. A commit in this process wakes it only when it runs in this
 * process; otherwise it polls.
 */
function bindRelay(container: Container, env: Env, db: Knex, log: Logger): void {
  const noSignal: OutboxSignal = { notify: () => undefined };
  if (!env.kafka) {
    container.bind<OutboxSignal>(OutboxSignal).toConstantValue(noSignal);
    return;
  }
  const { brokers, clientId, topic, eventSource, idempotent, createTopic } = env.kafka;
  const lock = isSqlite(db) || !env.databaseUrl ? new InProcessLock() : new MySqlNamedLock(mysqlConnection(env.databaseUrl));
  const relay = new OutboxRelay(
    new KnexOutboxQueue(db),
    new KafkaEventPublisher(createKafka({ brokers, clientId }, log), topic, eventSource, { idempotent, createTopic }),
    lock,
    container.get<Clock>(Clock),
    {
      batchSize: env.outbox.batchSize,
      pollIntervalMs: env.outbox.pollIntervalMs,
      retentionMs: env.outbox.retentionMs,
      lockRetryMs: 2_000,
      maxBackoffMs: 30_000,
      housekeepingMs: 10_000,
    },
    log.child({ component: 'outbox-relay' }),
    [container.get(PurgeAuditTrail).periodically()],
  );
  container.bind(OutboxRelay).toConstantValue(relay);
  container.bind<OutboxSignal>(OutboxSignal).toConstantValue(env.outbox.relayInProcess ? relay : noSignal);
}
