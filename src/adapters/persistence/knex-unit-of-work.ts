import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { OutboxSignal } from '../../application/outbox/ports.js';
import type { TxScope, UnitOfWork } from '../../application/ports.js';
import type { AuditLog } from '../../application/audit/ports.js';
import { KnexAuditLog } from './audit/knex-audit-log.js';
import { Db } from './db.js';
import { KnexEmailTokens } from './email/knex-email-tokens.js';
import { KnexMailQueue } from './email/knex-mail-queue.js';
import { KnexOutbox } from './knex-outbox.js';
import { KnexSessions } from './knex-sessions.js';
import { ObjectionUserRepository } from './objection-user-repository.js';

const MAX_ATTEMPTS = 3;

/** Injection token: makes the audit log of a transaction. */
export const AuditLogFor = Symbol('AuditLogFor');

/** MySQL's deadlock (1213), wherever the error wrapping put it. */
function isDeadlock(err: unknown): boolean {
  const e = err as { errno?: number; nativeError?: { errno?: number }; cause?: { errno?: number } };
  return [e?.errno, e?.nativeError?.errno, e?.cause?.errno].includes(1213);
}

/** The only place a use-case transaction is opened. */
@injectable()
export class KnexUnitOfWork implements UnitOfWork {
  constructor(
    @inject(Db) private readonly db: Knex,
    @inject(OutboxSignal) private readonly outboxSignal: OutboxSignal = { notify: () => undefined },
    /** How the transaction's audit entries are written; the benchmark's switch replaces it with nothing. */
    @inject(AuditLogFor) private readonly auditFor: (trx: Knex.Transaction) => AuditLog = (trx) => new KnexAuditLog(trx),
  ) {}

  /**
   * A transaction the database chose as a deadlock victim was rolled back whole, so it is run again (the work
   * reads what it changes inside the transaction, and does nothing outside it).
   */
  async run<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.runOnce(work);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isDeadlock(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  private async runOnce<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
    let outbox: KnexOutbox | undefined;
    const result = await this.db.transaction((trx) => {
      outbox = new KnexOutbox(trx);
      return work({
        users: new ObjectionUserRepository(trx),
        outbox,
        sessions: new KnexSessions(trx),
        audit: this.auditFor(trx),
        emailTokens: new KnexEmailTokens(trx),
        mail: new KnexMailQueue(trx),
      });
    });
    // After the commit, not before: a relay woken earlier would not see the rows yet.
    if (outbox?.written) this.outboxSignal.notify();
    return result;
  }
}
