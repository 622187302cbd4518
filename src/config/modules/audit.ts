import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { noAudit } from '../../application/audit/entries.js';
import { ListAuditEntries } from '../../application/audit/list-audit-entries.js';
import { ListMyActivity } from '../../application/audit/list-my-activity.js';
import { AuditReader, AuditTrail, type AuditLog } from '../../application/audit/ports.js';
import { PurgeAuditTrail } from '../../application/audit/purge-audit-trail.js';
import { SignInAudit } from '../../application/audit/sign-in-audit.js';
import { Clock } from '../../application/ports.js';
import type { Logger } from '../../adapters/logging/logger.js';
import { KnexAuditLog } from '../../adapters/persistence/audit/knex-audit-log.js';
import { KnexAuditReader } from '../../adapters/persistence/audit/knex-audit-reader.js';
import { AuditLogFor } from '../../adapters/persistence/knex-unit-of-work.js';
import type { Env } from '../env.js';

/** The audit trail: its writers (in a transaction, and on their own), its reader and its retention. */
export function bindAudit(container: Container, env: Env, db: Knex, log: Logger): void {
  const reader = new KnexAuditReader(db);
  container.bind<AuditReader>(AuditReader).toConstantValue(reader);
  if (env.audit.enabled) {
    container.bind<AuditLog>(AuditTrail).toConstantValue(new KnexAuditLog(db));
    container.bind(AuditLogFor).toConstantValue((trx: Knex.Transaction) => new KnexAuditLog(trx));
  } else {
    log.warn('AUDIT_ENABLED=false: the audit trail records NOTHING (meant for benchmarks only)');
    container.bind<AuditLog>(AuditTrail).toConstantValue(noAudit);
    container.bind(AuditLogFor).toConstantValue(() => noAudit);
  }
  const purge = new PurgeAuditTrail(reader, container.get<Clock>(Clock), env.audit.retentionMs, log.child({ component: 'audit' }));
  container.bind(PurgeAuditTrail).toConstantValue(purge);
}

/** What the API adds: sign-ins recorded, the trail and a user's own activity read. */
export function bindAuditUseCases(container: Container): void {
  container.bind(SignInAudit).toSelf();
  container.bind(ListAuditEntries).toSelf();
  container.bind(ListMyActivity).toSelf();
}
