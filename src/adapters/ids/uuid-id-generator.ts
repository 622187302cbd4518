import { v7 as uuidv7 } from 'uuid';
import type { IdGenerator } from '../../application/ports.js';

/** UUIDv7: random enough to be opaque, time-ordered so inserts stay at the end of the primary key index. */
export class UuidIdGenerator implements IdGenerator {
  next(): string {
    return uuidv7();
  }
}
