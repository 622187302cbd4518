import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { TxScope, UnitOfWork } from '../../application/ports.js';
import { Db } from './db.js';
import { KnexOutbox } from './knex-outbox.js';
import { KnexSessions } from './knex-sessions.js';
import { ObjectionUserRepository } from './objection-user-repository.js';

/** The only place a use-case transaction is opened. */
@injectable()
export class KnexUnitOfWork implements UnitOfWork {
  constructor(@inject(Db) private readonly db: Knex) {}

  run<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
    return this.db.transaction((trx) =>
      work({ users: new ObjectionUserRepository(trx), outbox: new KnexOutbox(trx), sessions: new KnexSessions(trx) }),
    );
  }
}
