import { inject, injectable } from 'inversify';
import { assertMayManageSessionsOf, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { sessionsEnded } from '../../domain/events.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';

/**
 * Ends all of a user's sessions: the caller's own but `keep` (its current one), or, for an admin, every
 * session of another user.
 */
@injectable()
export class EndSessions {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** Returns how many sessions ended. */
  async execute(input: { userId: string; keep?: string }, caller: Caller, context: RequestContext = {}): Promise<number> {
    const own = input.userId === caller.userId;
    if (!own) assertMayManageSessionsOf(caller);
    return this.uow.run(async ({ users, sessions, outbox, audit }) => {
      if (!own && !(await users.findById(input.userId))) throw new UserNotFound();
      const ended = await sessions.endAllOf(input.userId, input.keep);
      const reason = own ? 'ended-by-user' : 'ended-by-admin';
      if (ended.length) {
        await outbox.add(sessionsEnded(input.userId, ended, reason, caller.userId, stamp(this.ids, this.clock)));
        const details = { reason, sessions: ended.length };
        await audit.record({
          type: 'session.ended',
          outcome: 'success',
          actor: actorOf(caller),
          subjectId: input.userId,
          details,
          context,
        });
      }
      return ended.length;
    });
  }
}
