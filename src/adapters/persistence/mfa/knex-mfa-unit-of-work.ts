import type { Knex } from 'knex';
import type { MfaTxScope, MfaUnitOfWork } from '../../../application/mfa/ports.js';
import type { OutboxSignal } from '../../../application/ports.js';
import { KnexOutbox } from '../knex-outbox.js';
import { ObjectionUserRepository } from '../objection-user-repository.js';
import { KnexPasskeys } from './knex-passkeys.js';
import { KnexRecoveryCodes } from './knex-recovery-codes.js';
import { KnexTotpStore } from './knex-totp-store.js';

/** A transaction over the second-factor tables, the users and the outbox (their events commit with them). */
export class KnexMfaUnitOfWork implements MfaUnitOfWork {
  constructor(
    private readonly db: Knex,
    private readonly outboxSignal: OutboxSignal,
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
      });
    });
    if (outbox?.written) this.outboxSignal.notify();
    return result;
  }
}
