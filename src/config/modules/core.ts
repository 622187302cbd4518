import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { OutboxSignal } from '../../application/outbox/ports.js';
import { Clock, IdGenerator, Sessions, UnitOfWork, UserRepository } from '../../application/ports.js';
import { UuidIdGenerator } from '../../adapters/ids/uuid-id-generator.js';
import { Log, type Logger } from '../../adapters/logging/logger.js';
import { Db } from '../../adapters/persistence/db.js';
import { KnexSessions } from '../../adapters/persistence/knex-sessions.js';
import { KnexUnitOfWork } from '../../adapters/persistence/knex-unit-of-work.js';
import { ObjectionUserRepository } from '../../adapters/persistence/objection-user-repository.js';

/** What every process has: the database, the logger, the clock and ids. */
export function bindBase(container: Container, db: Knex, log: Logger): void {
  container.bind<Knex>(Db).toConstantValue(db);
  container.bind<Logger>(Log).toConstantValue(log);
  container.bind<Clock>(Clock).toConstantValue({ now: () => new Date() });
  container.bind<IdGenerator>(IdGenerator).toConstantValue(new UuidIdGenerator());
}

/**
 * The users, their sessions and the unit of work that changes them (call after bindAudit, whose writers it
 * uses). `signal` wakes the relay when one runs in this process.
 */
export function bindUsers(container: Container, db: Knex, signal: OutboxSignal = { notify: () => undefined }): void {
  container.bind<OutboxSignal>(OutboxSignal).toConstantValue(signal);
  container.bind<UnitOfWork>(UnitOfWork).to(KnexUnitOfWork);
  container.bind<UserRepository>(UserRepository).toConstantValue(new ObjectionUserRepository(db));
  container.bind<Sessions>(Sessions).toConstantValue(new KnexSessions(db));
}
