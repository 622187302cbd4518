import type { Knex } from 'knex';
import type { Outbox } from '../../application/ports.js';
import type { DomainEvent } from '../../domain/events.js';

/** Writes an event in the caller's transaction; relaying it to a broker is somebody else's job. */
export class KnexOutbox implements Outbox {
  written = false;

  constructor(private readonly trx: Knex.Transaction) {}

  async add(event: DomainEvent): Promise<void> {
    this.written = true;
    await this.trx('outbox').insert({
      id: event.id,
      aggregatetype: event.aggregateType,
      aggregateid: event.aggregateId,
      type: event.type,
      payload: JSON.stringify(event.payload),
      createdAt: event.occurredAt,
      publishedAt: null,
    });
  }
}
