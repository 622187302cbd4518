import { inject, injectable } from 'inversify';
import type { Caller } from '../../domain/access-policy.js';
import { SessionNotFound } from '../../domain/errors.js';
import { sessionsEnded } from '../../domain/events.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';

/** Ends one of the caller's own sessions, by its public id. */
@injectable()
export class EndSession {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** @throws SessionNotFound for an id that is not one of the caller's live sessions, whether or not it exists. */
  async execute(input: { sessionId: string }, caller: Caller, context: RequestContext = {}): Promise<void> {
    await this.uow.run(async ({ sessions, outbox, audit }) => {
      // Scoped to the caller in the query itself: another user's session id matches nothing.
      const ended = await sessions.endOne(caller.userId, input.sessionId);
      if (!ended.length) throw new SessionNotFound();
      await outbox.add(sessionsEnded(caller.userId, ended, 'ended-by-user', caller.userId, stamp(this.ids, this.clock)));
      const details = { reason: 'ended-by-user', sessions: ended.length };
      await audit.record({ type: 'session.ended', outcome: 'success', actor: actorOf(caller), subjectId: caller.userId, details, context });
    });
  }
}
