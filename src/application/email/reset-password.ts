import { inject, injectable } from 'inversify';
import { InvalidToken } from '../../domain/errors.js';
import { passwordChanged, sessionsEnded } from '../../domain/events.js';
import { parseNewPassword } from '../../domain/password.js';
import type { User } from '../../domain/user.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, CommonPasswords, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from '../ports.js';
import type { EmailToken } from './ports.js';
import { TokenThrottle } from './ports.js';
import { stamp } from '../accounts/user-view.js';
import { afterPasswordChange } from './mail.js';

/**
 * POST /password/reset: a valid reset token sets a new password (under the password policy), ends every
 * session of the user, voids the other reset tokens, clears the account's login throttle and sends a notice.
 * It does not log anybody in. A token is good once, for 30 minutes, for the address it was sent to while
 * that address is still the user's verified one.
 */
@injectable()
export class ResetPassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(CommonPasswords) private readonly commonPasswords: CommonPasswords,
    @inject(TokenThrottle) private readonly throttle: LoginThrottle,
    @inject(LoginThrottle) private readonly loginThrottle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { token: string; newPassword: string }, context: RequestContext = {}): Promise<void> {
    // Counted per client before the token is looked at; it stays counted only when the token was wrong, and a
    // policy refusal or a check that could not run gives it back.
    const attempt = { account: '', client: context.client };
    await this.throttle.begin(attempt);
    let changed: User | undefined;
    try {
      changed = await this.reset(input, context);
    } catch (err) {
      await this.throttle.cancel(attempt);
      throw err;
    }
    if (!changed) {
      await this.throttle.failed(attempt);
      throw new InvalidToken();
    }
    await this.throttle.succeeded(attempt);
    // The owner proved control of the address: the guesses counted against the account are forgiven.
    await this.loginThrottle.succeeded({ account: changed.username });
  }

  /** The user whose password the token reset, or undefined when the token is not valid. */
  private async reset(input: { token: string; newPassword: string }, context: RequestContext): Promise<User | undefined> {
    // A look first, so that a password the policy refuses (400) does not use the token up.
    const found = await this.uow.run((tx) => tx.emailTokens.peek(input.token, 'password-reset'));
    const user = found && this.isLive(found) ? await this.users.findById(found.userId) : undefined;
    if (!found || !user || user.verifiedEmail !== found.email) return undefined;
    const password = parseNewPassword(input.newPassword, {
      field: 'newPassword',
      username: user.username,
      isCommon: (p) => this.commonPasswords.includes(p),
    });
    const hash = await this.hasher.hash(password);

    return this.uow.run(async (tx) => {
      // Taken, not looked at: of two requests racing with one token, one finds it gone.
      const token = await tx.emailTokens.take(input.token, 'password-reset');
      if (!token || !this.isLive(token)) return undefined;
      const target = await tx.users.findForUpdate(token.userId);
      if (!target || target.verifiedEmail !== token.email) return undefined;
      target.changePassword(hash, this.clock.now());
      await tx.users.update(target);
      // Whoever held the old password may hold a session. The reset is the owner's act: it is the one ending them.
      const ended = await tx.sessions.endAllOf(target.id);
      await tx.outbox.add(passwordChanged(target, target.id, stamp(this.ids, this.clock), 'reset'));
      if (ended.length) await tx.outbox.add(sessionsEnded(target.id, ended, 'password-reset', target.id, stamp(this.ids, this.clock)));
      const { client, userAgent, requestId } = context;
      await tx.audit.record({
        type: 'password.reset_completed',
        outcome: 'success',
        actor: target.id,
        subjectId: target.id,
        details: { sessionsEnded: ended.length },
        context: { client, userAgent, requestId },
      });
      await afterPasswordChange(tx, target, { ids: this.ids, clock: this.clock }, 'reset');
      return target;
    });
  }

  private isLive(token: EmailToken): boolean {
    return token.expiresAt > this.clock.now();
  }
}
