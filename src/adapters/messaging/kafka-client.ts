import type { Kafka, LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger.js';

/** kafkajs's numeric levels (its `logLevel` enum), here so that naming them does not load the library. */
const ERROR = 1,
  WARN = 2,
  INFO = 4,
  DEBUG = 5;

/**
 * kafkajs's levels as ours. Its errors are mostly a broker that cannot be reached, said again on every retry with
 * a stack: the relay reports that once when it goes and once when it returns (and in /health/ready and the
 * metrics), so kafkajs's own lines are detail, at debug.
 */
const levels: Record<number, 'debug' | 'trace'> = {
  [ERROR]: 'debug',
  [WARN]: 'debug',
  [INFO]: 'debug',
  [DEBUG]: 'trace',
};

const RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** A Kafka client made when first needed: kafkajs (about 140 modules) is loaded then, not at start-up. */
export type KafkaClient = () => Promise<Kafka>;

/**
 * A kafkajs client whose own log lines go through the service's logger, at debug (see `levels`). The library is
 * imported on the first call, by the relay's first connection, so a process whose relay never runs never loads it.
 */
export function createKafka(options: { brokers: string[]; clientId: string }, log: Logger): KafkaClient {
  let client: Promise<Kafka> | undefined;
  return () => (client ??= import('kafkajs').then(({ Kafka }) => newKafka(Kafka, options, log)));
}

function newKafka(Client: typeof Kafka, options: { brokers: string[]; clientId: string }, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Client({
    ...options,
    // Connection attempts fail fast to the relay, whose own back-off retries forever (kafkajs's defaults would
    // spend up to half a minute before the relay could even report the broker down).
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: INFO, // what reaches us; our logger's level decides what is written
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
