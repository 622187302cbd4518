import { Container } from 'inversify';
import type { Knex } from 'knex';
import { Authenticate } from '../application/authenticate.js';
import { ChangePassword } from '../application/change-password.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { DeleteUser } from '../application/delete-user.js';
import { EnsureAdmin } from '../application/ensure-admin.js';
import { GetUser } from '../application/get-user.js';
import { ListUsers } from '../application/list-users.js';
import { LogOut } from '../application/log-out.js';
import { Clock, IdGenerator, PasswordHasher, Sessions, UnitOfWork, UserRepository } from '../application/ports.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { UuidIdGenerator } from '../adapters/ids/uuid-id-generator.js';
import { Log, type Logger } from '../adapters/logging/logger.js';
import { Db } from '../adapters/persistence/db.js';
import { KnexSessionStore } from '../adapters/persistence/knex-session-store.js';
import { KnexSessions } from '../adapters/persistence/knex-sessions.js';
import { KnexUnitOfWork } from '../adapters/persistence/knex-unit-of-work.js';
import { ObjectionUserRepository } from '../adapters/persistence/objection-user-repository.js';
import type { Env } from './env.js';

/** The composition root: the only place that knows every concrete class. */
export function buildContainer(env: Env, db: Knex, log: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<Knex>(Db).toConstantValue(db);
  container.bind<Logger>(Log).toConstantValue(log);
  container.bind<Clock>(Clock).toConstantValue({ now: () => new Date() });
  container.bind<IdGenerator>(IdGenerator).toConstantValue(new UuidIdGenerator());
  container.bind<PasswordHasher>(PasswordHasher).toConstantValue(new BcryptPasswordHasher(env.bcryptCost));
  container.bind<UnitOfWork>(UnitOfWork).to(KnexUnitOfWork);
  container.bind<UserRepository>(UserRepository).toConstantValue(new ObjectionUserRepository(db));
  container.bind<Sessions>(Sessions).toConstantValue(new KnexSessions(db));
  container.bind(KnexSessionStore).toConstantValue(new KnexSessionStore(db, env.sessionAbsoluteMs));
  container.bind(CreateUser).toSelf();
  container.bind(Authenticate).toSelf();
  container.bind(GetUser).toSelf();
  container.bind(ListUsers).toSelf();
  container.bind(ChangePassword).toSelf();
  container.bind(ChangeRole).toSelf();
  container.bind(DeleteUser).toSelf();
  container.bind(LogOut).toSelf();
  container.bind(EnsureAdmin).toSelf();
  return container;
}
