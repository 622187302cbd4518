import { inject, injectable } from 'inversify';
import { sessionsEnded, type SessionEndReason } from '../../domain/events.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from '../accounts/user-view.js';

@injectable()
export class LogOut {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Ends the session on the server, so a copy of its secret stops working, and records it for downstream
   * services and in the audit trail, in one transaction (never with the session's secret). `login-replaced`: a
   * new login on the same client took its place.
   */
  async execute(
    input: { userId: string; sessionId: string },
    reason: Extract<SessionEndReason, 'logout' | 'login-replaced'> = 'logout',
    context: RequestContext = {},
  ): Promise<void> {
    await this.uow.run(async ({ sessions, outbox, audit }) => {
      const ended = await sessions.endOne(input.userId, input.sessionId);
      if (ended.length) await outbox.add(sessionsEnded(input.userId, ended, reason, input.userId, stamp(this.ids, this.clock)));
      if (reason === 'logout')
        await audit.record({ type: 'logout', outcome: 'success', actor: input.userId, subjectId: input.userId, context });
    });
  }
}
