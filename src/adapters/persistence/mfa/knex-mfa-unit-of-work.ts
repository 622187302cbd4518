import type { Knex } from 'knex';
import type { AuditLog } from '../../../application/audit/ports.js';
import type { MfaTxScope, MfaUnitOfWork } from '../../../application/mfa/ports.js';
import type { OutboxSignal } from '../../../application/outbox/ports.js';
import { KnexAuditLog } from '../audit/knex-audit-log.js';
import { KnexMailQueue } from '../email/knex-mail-queue.js';
import { KnexOutbox } from '../knex-outbox.js';
import { ObjectionUserRepository } from '../objection-user-repository.js';
import { KnexPasskeys } from './knex-passkeys.js';
import { KnexRecoveryCodes } from './knex-recovery-codes.js';
import { KnexTotpStore } from './knex-totp-store.js';

/**
 * A transaction over the second-factor tables, the users, the outbox, the audit trail and the mail queue: events,
 * entries and notices commit with the change they describe.
 */
export class KnexMfaUnitOfWork implements MfaUnitOfWork {
  constructor(
    private readonly db: Knex,
    private readonly outboxSignal: OutboxSignal,
    /** How the transaction's audit entries are written (the benchmark's switch replaces it with nothing). */
    private readonly auditFor: (trx: Knex.Transaction) => AuditLog = (trx) => new KnexAuditLog(trx),
  ) {}

  async run<T>(work: (tx: MfaTxScope) => Promise<T>): Promise<T> {
    let outbox: KnexOutbox | undefined;
    const result = await this.db.transaction((trx) => {
      outbox = new KnexOutbox(trx);
      return work({
        users: new ObjectionUserRepository(trx),
        outbox,
        totp: new KnexTotpStore(trx),
        recoveryCodes: new KnexRecoveryCodes(trx),
        passkeys: new KnexPasskeys(trx),
        audit: this.auditFor(trx),
        mail: new KnexMailQueue(trx),
      });
    });
    if (outbox?.written) this.outboxSignal.notify();
    return result;
  }
}
