import { inject, injectable } from 'inversify';
import { assertMayManageSessionsOf, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { Clock, Sessions, UserRepository, type SessionInfo } from '../ports.js';

/** A user's live sessions, newest first: the caller's own, or any user's for an admin. */
@injectable()
export class ListSessions {
  constructor(
    @inject(Sessions) private readonly sessions: Sessions,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }, caller: Caller): Promise<SessionInfo[]> {
    if (input.userId !== caller.userId) {
      assertMayManageSessionsOf(caller); // before existence: a user learns nothing of other accounts
      if (!(await this.users.findById(input.userId))) throw new UserNotFound();
    }
    return this.sessions.listOf(input.userId, this.clock.now());
  }
}
