import type { Knex } from 'knex';
import type { MailQueue, OutgoingMail } from '../../../application/email/ports.js';

/** Queues a message in the caller's transaction: due at once. */
export class KnexMailQueue implements MailQueue {
  constructor(private readonly trx: Knex | Knex.Transaction) {}

  async add(mail: OutgoingMail): Promise<void> {
    await this.trx('mail_outbox').insert({
      id: mail.id,
      userId: mail.userId,
      kind: mail.kind,
      recipient: mail.to,
      params: JSON.stringify(mail.params),
      createdAt: mail.createdAt,
      attempts: 0,
      nextAttemptAt: mail.createdAt.getTime(),
    });
  }
}
