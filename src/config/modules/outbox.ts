import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { PurgeAuditTrail } from '../../application/audit/purge-audit-trail.js';
import { OutboxQueue, OutboxReport } from '../../application/outbox/ports.js';
import { Clock } from '../../application/ports.js';
import { OutboxRelay } from '../../application/outbox/relay-outbox.js';
import type { Logger } from '../../adapters/logging/logger.js';
import { createKafka } from '../../adapters/messaging/kafka-client.js';
import { KafkaEventPublisher } from '../../adapters/messaging/kafka-event-publisher.js';
import { isSqlite, mysqlConnection } from '../../adapters/persistence/db.js';
import { KnexOutboxQueue } from '../../adapters/persistence/knex-outbox-queue.js';
import { InProcessLock, MySqlNamedLock } from '../../adapters/persistence/relay-locks.js';
import type { Env } from '../env.js';

/** The outbox as a queue: its lag for metrics and readiness, its counts for the command line. */
export function bindOutbox(container: Container, db: Knex): void {
  const queue = new KnexOutboxQueue(db);
  container.bind<OutboxQueue>(OutboxQueue).toConstantValue(queue);
  container.bind<OutboxReport>(OutboxReport).toConstantValue(queue);
}

/**
 * The relay that publishes the outbox, when a broker is configured. Call after bindOutbox and bindAudit: the
 * relay runs the audit trail's retention.
 */
export function bindOutboxRelay(container: Container, env: Env, db: Knex, log: Logger): void {
  if (!env.kafka) return;
  const { brokers, clientId, topic, eventSource, idempotent, createTopic } = env.kafka;
  const lock = isSqlite(db) || !env.databaseUrl ? new InProcessLock() : new MySqlNamedLock(mysqlConnection(env.databaseUrl));
  const relay = new OutboxRelay(
    container.get<OutboxQueue>(OutboxQueue),
    new KafkaEventPublisher(createKafka({ brokers, clientId }, log), topic, eventSource, { idempotent, createTopic }),
    lock,
    container.get<Clock>(Clock),
    {
      batchSize: env.outbox.batchSize,
      pollIntervalMs: env.outbox.pollIntervalMs,
      retentionMs: env.outbox.retentionMs,
      lockRetryMs: 2_000,
      maxBackoffMs: 30_000,
      housekeepingMs: 10_000,
    },
    log.child({ component: 'outbox-relay' }),
    [container.get(PurgeAuditTrail).periodically()],
  );
  container.bind(OutboxRelay).toConstantValue(relay);
}

/**
 * Starts the outbox relay when a broker is configured and `wanted`. Without a broker nothing is dropped: the
 * events wait in the outbox until a relay runs.
 */
export function startRelay(env: Env, container: Container, log: Logger, wanted: boolean): OutboxRelay | undefined {
  if (!env.kafka) {
    log.warn('KAFKA_BROKERS is not set: user events stay in the outbox table until a relay publishes them');
    return undefined;
  }
  if (!wanted) {
    log.info('OUTBOX_RELAY_IN_PROCESS=false: events are published by a separate relay (npm run relay)');
    return undefined;
  }
  const relay = container.get(OutboxRelay);
  relay.start();
  log.info({ brokers: env.kafka.brokers, topic: env.kafka.topic }, 'outbox relay started');
  return relay;
}
