import { inject, injectable } from 'inversify';
import { noAudit } from './audit/entries.js';
import { AuditTrail, type RequestContext } from './audit/ports.js';
import { Sessions } from './ports.js';

@injectable()
export class LogOut {
  constructor(
    @inject(Sessions) private readonly sessions: Sessions,
    @inject(AuditTrail) private readonly trail: AuditTrail = noAudit,
  ) {}

  /**
   * Ends the session on the server, so a copy of its cookie stops working. The entry is written right after
   * the one-statement delete (there is no transaction to share yet); never with the session key.
   */
  async execute(input: { sessionKey: string; userId?: string }, context: RequestContext = {}): Promise<void> {
    await this.sessions.end(input.sessionKey);
    if (input.userId === undefined) return;
    await this.trail.record({ type: 'logout', outcome: 'success', actor: input.userId, subjectId: input.userId, context });
  }
}
