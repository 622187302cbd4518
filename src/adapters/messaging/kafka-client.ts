import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

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
      ({ level, log: { message, ...extra } }: LogEntry) =>
        kafkaLog[levels[level] ?? 'info'](extra, message),
  });
}
