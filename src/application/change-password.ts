import { inject, injectable } from 'inversify';
import { mustConfirmPasswordChange, type Caller } from '../domain/access-policy.js';
import { IncorrectCurrentPassword, UserNotFound, ValidationFailed } from '../domain/errors.js';
import { passwordChanged } from '../domain/events.js';
import { candidatePassword, parseNewPassword } from '../domain/password.js';
import { Clock, IdGenerator, PasswordHasher, UnitOfWork, UserRepository } from './ports.js';
import { stamp } from './user-view.js';

@injectable()
export class ChangePassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** `sessionKey` is the caller's own session: it survives when the caller changes its own password. */
  async execute(
    input: { userId: string; currentPassword?: string; newPassword: string },
    caller: Caller,
    sessionKey?: string,
  ): Promise<void> {
    const mustConfirm = mustConfirmPasswordChange(caller, input.userId);
    const newPassword = parseNewPassword(input.newPassword, 'newPassword');
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    if (mustConfirm) {
      if (input.currentPassword === undefined) throw new ValidationFailed('currentPassword', 'is required');
      const current = candidatePassword(input.currentPassword);
      if (!current || !(await this.hasher.verify(current, user.passwordHash))) throw new IncorrectCurrentPassword();
    }
    const newHash = await this.hasher.hash(newPassword);

    await this.uow.run(async ({ users, outbox, sessions }) => {
      const target = await users.findById(input.userId);
      if (!target) throw new UserNotFound();
      target.changePassword(newHash, this.clock.now());
      await users.update(target);
      // Whoever knew the old password may hold a session: end them all but the caller's own.
      await sessions.endAllOf(target.id, caller.userId === target.id ? sessionKey : undefined);
      await outbox.add(passwordChanged(target, caller.userId, stamp(this.ids, this.clock)));
    });
  }
}
