import { inject, injectable } from 'inversify';
import { assertAnotherAdminRemains, assertMayChangeStatus, type Caller } from '../../domain/access-policy.js';
import { parseAccountStatus, parseStatusReason } from '../../domain/account-status.js';
import { UserNotFound } from '../../domain/errors.js';
import { sessionsEnded, userDisabled, userEnabled } from '../../domain/events.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

/** Disables an account instead of deleting it (its data and events stay), or enables it again. */
@injectable()
export class SetAccountStatus {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(
    input: { userId: string; status: string; reason?: string },
    caller: Caller,
    context: RequestContext = {},
  ): Promise<UserView> {
    const status = parseAccountStatus(input.status);
    assertMayChangeStatus(caller, input.userId, status);
    const reason = parseStatusReason(input.reason);
    return this.uow.run(async ({ users, outbox, sessions, audit }) => {
      const user = await users.findForUpdate(input.userId);
      if (!user) throw new UserNotFound();
      if (user.status === status) return viewOf(user); // nothing changed, nothing to tell
      // Disabling an admin removes one: it takes the admin guard and counts the active admins, as a demotion does.
      if (status === 'disabled' && user.isAdmin) assertAnotherAdminRemains(await users.lockAdmins());
      user.changeStatus(status, reason, this.clock.now());
      await users.update(user);
      const actor = actorOf(caller);
      if (status === 'disabled') {
        // In this transaction: no request on a session of this account succeeds once the change is committed.
        const ended = await sessions.endAllOf(user.id);
        await outbox.add(userDisabled(user, reason, caller.userId, stamp(this.ids, this.clock)));
        if (ended.length) await outbox.add(sessionsEnded(user.id, ended, 'account-disabled', caller.userId, stamp(this.ids, this.clock)));
      } else {
        await outbox.add(userEnabled(user, reason, caller.userId, stamp(this.ids, this.clock)));
      }
      await audit.record({
        type: status === 'disabled' ? 'user.disabled' : 'user.enabled',
        outcome: 'success',
        actor,
        subjectId: user.id,
        details: status === 'disabled' ? { reason, sessionsEnded: true } : { reason },
        context,
      });
      return viewOf(user);
    });
  }
}
