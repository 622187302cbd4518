import { inject, injectable } from 'inversify';
import { mustConfirmPasswordChange, type Caller } from '../domain/access-policy.js';
import { UserNotFound } from '../domain/errors.js';
import { passwordChanged } from '../domain/events.js';
import { parseNewPassword } from '../domain/password.js';
import { afterPasswordChange } from './email/mail.js';
import { confirmCurrentPassword } from './password-check.js';
import { Clock, CommonPasswords, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from './ports.js';
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
   * `sessionKey` is the caller's own session: it survives when the caller changes its own password.
   * `client` is the caller's address, for throttling guesses of the current password.
   */
  async execute(
    input: { userId: string; currentPassword?: string; newPassword: string },
    caller: Caller,
    context: { sessionKey?: string; client?: string } = {},
  ): Promise<void> {
    const mustConfirm = mustConfirmPasswordChange(caller, input.userId);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    const newPassword = parseNewPassword(input.newPassword, {
      field: 'newPassword',
      username: user.username,
      isCommon: (p) => this.commonPasswords.includes(p),
    });
    if (mustConfirm) await confirmCurrentPassword({ throttle: this.throttle, hasher: this.hasher }, user, input.currentPassword, context.client);
    const newHash = await this.hasher.hash(newPassword);

    await this.uow.run(async (tx) => {
      const { users, outbox, sessions } = tx;
      const target = await users.findById(input.userId);
      if (!target) throw new UserNotFound();
      target.changePassword(newHash, this.clock.now());
      await users.update(target);
      // Whoever knew the old password may hold a session: end them all but the caller's own.
      await sessions.endAllOf(target.id, caller.userId === target.id ? context.sessionKey : undefined);
      await outbox.add(passwordChanged(target, caller.userId, stamp(this.ids, this.clock)));
      await afterPasswordChange(tx, target, { ids: this.ids, clock: this.clock }, 'change');
    });
  }
}
