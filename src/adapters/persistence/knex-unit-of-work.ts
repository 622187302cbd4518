import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { OutboxSignal, type TxScope, type UnitOfWork } from '../../application/ports.js';
import { Db } from './db.js';
import { KnexOutbox } from './knex-outbox.js';
import { KnexSessions } from './knex-sessions.js';
import { ObjectionUserRepository } from './objection-user-repository.js';

/** The only place a use-case transaction is opened. */
@injectable()
export class KnexUnitOfWork implements UnitOfWork {
  constructor(
    @inject(Db) private readonly db: Knex,
    @inject(OutboxSignal) private readonly outboxSignal: OutboxSignal = { notify: () => undefined },
  ) {}

  async run<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
    let outbox: KnexOutbox | undefined;
    const result = await this.db.transaction((trx) => {
      outbox = new KnexOutbox(trx);
      return work({ users: new ObjectionUserRepository(trx), outbox, sessions: new KnexSessions(trx) });
    });
    // After the commit, not before: a relay woken earlier would not see the rows yet.
    if (outbox?.written) this.outboxSignal.notify();
    return result;
  }
}
