import { inject, injectable } from 'inversify';
import { assertAnotherAdminRemains, assertMayChangeRole, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { roleChanged } from '../../domain/events.js';
import { parseRole } from '../../domain/role.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

@injectable()
export class ChangeRole {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; role: string }, caller: Caller, context: RequestContext = {}): Promise<UserView> {
    assertMayChangeRole(caller);
    const role = parseRole(input.role);
    return this.uow.run(async ({ users, outbox, audit }) => {
      const user = await users.findForUpdate(input.userId);
      if (!user) throw new UserNotFound();
      const from = user.role;
      if (from === role) return viewOf(user); // nothing changed, nothing to tell
      // A demotion takes the admin guard and counts: two at once queue there, and the second sees one admin.
      // A disabled admin is not counted, so demoting one removes no active admin.
      if (from === 'admin' && user.isActive) assertAnotherAdminRemains(await users.lockAdmins());
      user.changeRole(role, this.clock.now());
      await users.update(user);
      await outbox.add(roleChanged(user, from, caller.userId, stamp(this.ids, this.clock)));
      await audit.record({
        type: 'user.role_changed',
        outcome: 'success',
        actor: actorOf(caller),
        subjectId: user.id,
        details: { from, to: role },
        context,
      });
      return viewOf(user);
    });
  }
}
