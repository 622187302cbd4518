import type { OutboxRecord } from '../../application/outbox/ports.js';
import { cloudEventSchema, USER_EVENT_TYPES, type UserEvent, type UserEventType } from './event-contract.js';

/** A row that cannot become a valid message; the relay parks it with this reason. */
export class Unpublishable extends Error {}

/**
 * The CloudEvent for an outbox row, checked against the contract: a row that does not fit (unknown type,
 * corrupt payload) is refused here rather than sent to every consumer.
 */
export function toCloudEvent(record: OutboxRecord, source: string): UserEvent {
  if (!(USER_EVENT_TYPES as string[]).includes(record.type)) throw new Unpublishable(`unknown event type ${record.type}`);
  if (Number.isNaN(record.createdAt.getTime())) throw new Unpublishable('created_at is not a valid time');
  let data: unknown;
  try {
    data = typeof record.payload === 'string' ? JSON.parse(record.payload) : record.payload;
  } catch (err) {
    throw new Unpublishable(`payload is not JSON: ${(err as Error).message}`);
  }
  const event = {
    specversion: '1.0',
    id: record.id,
    source,
    type: record.type,
    subject: record.aggregateId,
    time: record.createdAt.toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  const checked = cloudEventSchema(record.type as UserEventType).safeParse(event);
  if (!checked.success) throw new Unpublishable(`does not match the ${record.type} schema: ${checked.error.message}`);
  return checked.data as UserEvent;
}
