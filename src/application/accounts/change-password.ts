import { inject, injectable } from 'inversify';
import { mustConfirmPasswordChange, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { passwordChanged, sessionsEnded } from '../../domain/events.js';
import { parseNewPassword } from '../../domain/password.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { afterPasswordChange } from '../email/mail.js';
import { confirmCurrentPassword } from './password-check.js';
import { Clock, CommonPasswords, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from '../ports.js';
import { stamp } from './user-view.js';

@injectable()
export class ChangePassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(CommonPasswords) private readonly commonPasswords: CommonPasswords,
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * `sessionId` is the caller's own session (public id): it survives when the caller changes its own password.
   * `client` is the caller's address, for throttling guesses of the current password.
   */
  async execute(
    input: { userId: string; currentPassword?: string; newPassword: string },
    caller: Caller,
    context: RequestContext & { sessionId?: string } = {},
  ): Promise<void> {
    const mustConfirm = mustConfirmPasswordChange(caller, input.userId);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    const newPassword = parseNewPassword(input.newPassword, {
      field: 'newPassword',
      username: user.username,
      isCommon: (p) => this.commonPasswords.includes(p),
    });
    if (mustConfirm)
      await confirmCurrentPassword({ throttle: this.throttle, hasher: this.hasher }, user, input.currentPassword, context.client);
    const newHash = await this.hasher.hash(newPassword);

    await this.uow.run(async (tx) => {
      const { users, outbox, sessions, audit } = tx;
      const target = await users.findById(input.userId);
      if (!target) throw new UserNotFound();
      target.changePassword(newHash, this.clock.now());
      await users.update(target);
      // Whoever knew the old password may hold a session: end them all but the caller's own.
      const ended = await sessions.endAllOf(target.id, caller.userId === target.id ? context.sessionId : undefined);
      await outbox.add(passwordChanged(target, caller.userId, stamp(this.ids, this.clock)));
      if (ended.length) await outbox.add(sessionsEnded(target.id, ended, 'password-changed', caller.userId, stamp(this.ids, this.clock)));
      // By its owner a change, by an admin a reset. Never the password or its hash, nor a session's secret.
      const { client, userAgent, requestId } = context;
      await audit.record({
        type: mustConfirm ? 'password.changed' : 'password.reset',
        outcome: 'success',
        actor: actorOf(caller),
        subjectId: target.id,
        details: { otherSessionsEnded: ended.length },
        context: { client, userAgent, requestId },
      });
      await afterPasswordChange(tx, target, { ids: this.ids, clock: this.clock }, 'change');
    });
  }
}
