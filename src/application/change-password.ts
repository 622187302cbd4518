import { inject, injectable } from 'inversify';
import { mustConfirmPasswordChange, type Caller } from '../domain/access-policy.js';
import { IncorrectCurrentPassword, UserNotFound, ValidationFailed } from '../domain/errors.js';
import { passwordChanged, sessionsEnded } from '../domain/events.js';
import { candidatePassword, parseNewPassword } from '../domain/password.js';
import type { User } from '../domain/user.js';
import { checkCounted } from './password-check.js';
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
   * `sessionId` is the caller's own session (public id): it survives when the caller changes its own password.
   * `client` is the caller's address, for throttling guesses of the current password.
   */
  async execute(
    input: { userId: string; currentPassword?: string; newPassword: string },
    caller: Caller,
    context: { sessionId?: string; client?: string } = {},
  ): Promise<void> {
    const mustConfirm = mustConfirmPasswordChange(caller, input.userId);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    const newPassword = parseNewPassword(input.newPassword, {
      field: 'newPassword',
      username: user.username,
      isCommon: (p) => this.commonPasswords.includes(p),
    });
    if (mustConfirm) await this.confirm(user, input.currentPassword, context.client);
    const newHash = await this.hasher.hash(newPassword);

    await this.uow.run(async ({ users, outbox, sessions }) => {
      const target = await users.findById(input.userId);
      if (!target) throw new UserNotFound();
      target.changePassword(newHash, this.clock.now());
      await users.update(target);
      // Whoever knew the old password may hold a session: end them all but the caller's own.
      const ended = await sessions.endAllOf(target.id, caller.userId === target.id ? context.sessionId : undefined);
      await outbox.add(passwordChanged(target, caller.userId, stamp(this.ids, this.clock)));
      if (ended.length) await outbox.add(sessionsEnded(target.id, ended, 'password-changed', caller.userId, stamp(this.ids, this.clock)));
    });
  }

  /** The current password proves it is the owner at the keyboard; a wrong one counts as a failed login. */
  private async confirm(user: User, currentPassword: string | undefined, client: string | undefined): Promise<void> {
    if (currentPassword === undefined) throw new ValidationFailed('currentPassword', 'is required');
    const attempt = { account: user.username, client };
    await this.throttle.begin(attempt);
    const current = candidatePassword(currentPassword);
    const matches = current !== undefined && (await checkCounted(this.throttle, attempt, () => this.hasher.verify(current, user.passwordHash)));
    if (!matches) throw new IncorrectCurrentPassword();
    await this.throttle.succeeded(attempt);
  }
}
