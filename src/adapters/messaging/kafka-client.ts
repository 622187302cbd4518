import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** A kafkajs client whose own log lines go through the service's logger. */
export function createKafka(options: { brokers: string[]; clientId: string }, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    ...options,
    // Connection attempts fail fast to the relay, whose own back-off retries forever (kafkajs's defaults would
    // spend up to half a minute before the relay could even report the broker down).
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: { message, ...extra } }: LogEntry) => {
        // Said on every connect of the idempotent producer, whose retries are few on purpose: after a failed
        // send the publisher drops the producer, and the next one has a new producer id and fresh sequences.
        if (message === RETRIES_WARNING) return;
        kafkaLog[levels[level] ?? 'info'](extra, message);
      },
  });
}
