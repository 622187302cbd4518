import { inject, injectable } from 'inversify';
import { assertMayReadAuditTrail, type Caller } from '../../domain/access-policy.js';
import { ValidationFailed } from '../../domain/errors.js';
import { assertTimeRange, pageSize, pageView, type AuditPageView } from './audit-view.js';
import { AUDIT_TYPES, AuditReader, type AuditType } from './ports.js';

export interface AuditFilter {
  userId?: string;
  type?: string;
  since?: Date;
  until?: Date;
  limit?: number;
  after?: string;
}

/** The audit trail for admins: newest first, filtered by the account it is about, type and time. */
@injectable()
export class ListAuditEntries {
  constructor(@inject(AuditReader) private readonly reader: AuditReader) {}

  async execute(filter: AuditFilter, caller: Caller): Promise<AuditPageView> {
    assertMayReadAuditTrail(caller);
    const limit = pageSize(filter.limit);
    assertTimeRange(filter.since, filter.until);
    const types = filter.type === undefined ? undefined : [parseAuditType(filter.type)];
    const { userId: subjectId, since, until, after } = filter;
    return pageView(await this.reader.list({ subjectId, types, since, until, limit, after }));
  }
}

export function parseAuditType(raw: string): AuditType {
  if ((AUDIT_TYPES as readonly string[]).includes(raw)) return raw as AuditType;
  throw new ValidationFailed('type', `must be one of ${AUDIT_TYPES.join(', ')}`);
}
