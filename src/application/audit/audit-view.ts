import { ValidationFailed } from '../../domain/errors.js';
import type { AuditPage, AuditRecord } from './ports.js';

export const MAX_AUDIT_PAGE = 100;
export const DEFAULT_AUDIT_PAGE = 50;

/** What the API shows of an entry: everything stored (nothing stored is secret). */
export type AuditView = AuditRecord;

export interface AuditPageView {
  entries: AuditView[];
  nextCursor: string | null;
}

export function pageView(page: AuditPage): AuditPageView {
  return { entries: page.entries.map((e) => ({ ...e, details: { ...e.details } })), nextCursor: page.nextCursor };
}

export function pageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_AUDIT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_AUDIT_PAGE) {
    throw new ValidationFailed('limit', `must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
  }
  return size;
}

export function assertTimeRange(since: Date | undefined, until: Date | undefined): void {
  if (since && until && since.getTime() > until.getTime()) throw new ValidationFailed('since', 'must not be after until');
}
