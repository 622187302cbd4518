import { inject, injectable } from 'inversify';
import { assertAnotherAdminRemains, assertMayDelete, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { sessionsEnded, userDeleted } from '../../domain/events.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from './user-view.js';

@injectable()
export class DeleteUser {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }, caller: Caller, context: RequestContext = {}): Promise<void> {
    assertMayDelete(caller, input.userId);
    await this.uow.run(async ({ users, outbox, sessions, audit }) => {
      // The caller's role was read before this transaction: a concurrent demotion of the caller must not leave
      // the service with no admin, so deleting an admin takes the admin guard and counts, as a demotion does.
      const user = await users.findForUpdate(input.userId);
      if (!user) throw new UserNotFound();
      if (user.isAdmin && user.isActive) assertAnotherAdminRemains(await users.lockAdmins());
      const ended = await sessions.endAllOf(user.id);
      if (ended.length) await outbox.add(sessionsEnded(user.id, ended, 'user-deleted', caller.userId, stamp(this.ids, this.clock)));
      await users.remove(user.id);
      await outbox.add(userDeleted(user, caller.userId, stamp(this.ids, this.clock)));
      // The entry outlives the account: its name is kept in the details.
      await audit.record({
        type: 'user.deleted',
        outcome: 'success',
        actor: actorOf(caller),
        subjectId: user.id,
        details: { username: user.username },
        context,
      });
    });
  }
}
