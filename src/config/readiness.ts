import type { Knex } from 'knex';
import type { ReadinessReport } from '../adapters/http/health-router.js';
import type { OutboxQueue } from '../application/outbox/ports.js';
import type { OutboxRelay } from '../application/outbox/relay-outbox.js';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
}

export interface ReadinessSources {
  db: Knex;
  queue: OutboxQueue;
  /** The relay running in this process, if any. */
  relay: OutboxRelay | undefined;
  /** Why there is no relay here: no broker configured, or it runs elsewhere. */
  relayElsewhere: 'disabled' | 'external';
  shuttingDown(): boolean;
}

/**
 * Ready means: not shutting down, the database answers, and no migration is pending. The relay's state and
 * the outbox lag are reported but do not make the service unready: events wait safely in the outbox.
 */
export function readiness(sources: ReadinessSources): () => Promise<ReadinessReport> {
  return async () => {
    const database = await withTimeout(sources.db.raw('select 1'))
      .then(() => 'up')
      .catch(() => 'down');
    const migrations =
      database === 'up'
        ? await withTimeout(sources.db.migrate.list() as Promise<[unknown[], unknown[]]>)
            .then(([, pending]) => (pending.length === 0 ? 'applied' : `${pending.length} pending`))
            .catch(() => 'unknown')
        : 'unknown';
    const outbox = database === 'up' ? await withTimeout(sources.queue.lag(new Date())).catch(() => null) : null;
    const relayStatus = sources.relay?.status();
    const relay = relayStatus
      ? { state: relayStatus.state === 'publishing' ? 'connected' : relayStatus.state, lastError: relayStatus.lastError }
      : { state: sources.relayElsewhere };
    const shuttingDown = sources.shuttingDown();
    return {
      ready: !shuttingDown && database === 'up' && migrations === 'applied',
      checks: { shuttingDown, database, migrations, relay, outbox },
    };
  };
}
