import { inject, injectable } from 'inversify';
import { assertMayUnlock, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { LoginThrottleReset, UnitOfWork, UserRepository } from '../ports.js';
import { viewOf, type UserView } from './user-view.js';

/**
 * Lets an account sign in again at once after its failed sign-ins filled the throttle (the owner mistyped, or
 * someone guessed): the failures counted against the account are forgotten. Client addresses keep their counts.
 */
@injectable()
export class UnlockAccount {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(LoginThrottleReset) private readonly throttle: LoginThrottleReset,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
  ) {}

  async execute(input: { userId: string }, caller: Caller, context: RequestContext = {}): Promise<UserView> {
    assertMayUnlock(caller);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    // Sign-ins are counted under the username, however the account was named (name or address).
    await this.throttle.clearAccount(user.username);
    await this.uow.run(({ audit }) =>
      audit.record({ type: 'user.unlocked', outcome: 'success', actor: actorOf(caller), subjectId: user.id, details: {}, context }),
    );
    return viewOf(user);
  }
}
