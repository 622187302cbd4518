import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger.js';

/**
 * kafkajs's levels as ours. Its errors are mostly a broker that cannot be reached, said again on every retry with
 * a stack: the relay reports that once when it goes and once when it returns (and in /health/ready and the
 * metrics), so kafkajs's own lines are detail, at debug.
 */
const levels: Record<number, 'debug' | 'trace'> = {
  [logLevel.ERROR]: 'debug',
  [logLevel.WARN]: 'debug',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'trace',
};

const RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** A kafkajs client whose own log lines go through the service's logger, at debug (see `levels`). */
export function createKafka(options: { brokers: string[]; clientId: string }, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    ...options,
    // Connection attempts fail fast to the relay, whose own back-off retries forever (kafkajs's defaults would
    // spend up to half a minute before the relay could even report the broker down).
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.INFO, // what reaches us; our logger's level decides what is written
    logCreator:
      () =>
      ({ level, log: { message, ...extra } }: LogEntry) => {
        // Said on every connect of the idempotent producer, whose retries are few on purpose: after a failed
        // send the publisher drops the producer, and the next one has a new producer id and fresh sequences.
        if (message === RETRIES_WARNING) return;
        kafkaLog[levels[level] ?? 'debug'](extra, message);
      },
  });
}
