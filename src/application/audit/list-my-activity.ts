import { inject, injectable } from 'inversify';
import type { Caller } from '../../domain/access-policy.js';
import { pageSize, pageView, type AuditPageView } from './audit-view.js';
import { ACTIVITY_TYPES, AuditReader } from './ports.js';

/**
 * A user's own activity: sign-ins (failed ones included), session ends and security changes to its account,
 * whoever made them. Always the caller's own: there is no user parameter to get wrong.
 */
@injectable()
export class ListMyActivity {
  constructor(@inject(AuditReader) private readonly reader: AuditReader) {}

  async execute(page: { limit?: number; after?: string }, caller: Caller): Promise<AuditPageView> {
    const limit = pageSize(page.limit);
    return pageView(await this.reader.list({ subjectId: caller.userId, types: ACTIVITY_TYPES, limit, after: page.after }));
  }
}
