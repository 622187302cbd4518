import { inject, injectable } from 'inversify';
import { AccountDisabled, InvalidCode, InvalidCredentials } from '../../domain/errors.js';
import { User } from '../../domain/user.js';
import { loggedIn } from '../../domain/events.js';
import { noAudit } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { Clock, IdGenerator, UnitOfWork, UserRepository } from '../ports.js';
import { stamp, viewOf, type UserView } from '../accounts/user-view.js';
import type { SecondFactorProof, SignInMethod } from './ports.js';
import { methodOf, VerifySecondFactor } from './verify-second-factor.js';

/** What recording a login needs besides the account and the method. */
export interface LoginRecording {
  uow: UnitOfWork;
  ids: IdGenerator;
  clock: Clock;
  audit: SignInAudit;
}

/**
 * Records a login that is now complete, as Authenticate does for an account without a second factor: the
 * login, its event and its audit entry (naming the method that completed it) in one transaction. A disabled
 * account is refused as at POST /login: a failed sign-in (reason `disabled`), and nothing else written.
 * @throws AccountDisabled, InvalidCredentials when the account was deleted meanwhile
 */
export async function recordLogin(
  deps: LoginRecording,
  userId: string,
  /** What completed it: a second factor after the password, or a passkey alone (`passkey`). */
  method: SignInMethod | 'passkey',
  context: RequestContext,
): Promise<UserView> {
  const { uow, ids, clock } = deps;
  const outcome = await uow.run(async ({ users, outbox, audit }): Promise<UserView | User> => {
    const user = await users.findById(userId);
    if (!user) throw new InvalidCredentials(); // deleted meanwhile
    // Read in the transaction that records the login: an account disabled while the factor was checked is refused.
    if (!user.isActive) return user;
    user.recordLogin(clock.now());
    await users.update(user);
    await outbox.add(loggedIn(user, stamp(ids, clock)));
    await audit.record({ type: 'login', outcome: 'success', actor: user.id, subjectId: user.id, details: { method }, context });
    return viewOf(user);
  });
  // The failed sign-in is written on its own once the transaction, which wrote nothing, has ended (as in Authenticate).
  if (outcome instanceof User) throw await refuseDisabled(deps.audit, outcome, context);
  return outcome;
}

/** Writes the failed sign-in of a disabled account and returns the error to throw. */
async function refuseDisabled(audit: SignInAudit, user: User, context: RequestContext): Promise<AccountDisabled> {
  await audit.failed('disabled', user, user.username, context);
  return new AccountDisabled();
}

/** Finishes a login whose password was right, with the second factor: the same outcome as a full login. */
@injectable()
export class CompleteLogin {
  constructor(
    @inject(VerifySecondFactor) private readonly verify: VerifySecondFactor,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(SignInAudit) private readonly audit: SignInAudit = new SignInAudit(noAudit, users, clock),
  ) {}

  /**
   * A wrong or used code, recovery code or passkey is a failed sign-in (reason `second-factor-failed`); a
   * disabled account one with reason `disabled`.
   * @throws InvalidCode, AccountDisabled, TooManyAttempts
   */
  async execute(input: { userId: string; proof: SecondFactorProof }, context: RequestContext = {}): Promise<UserView> {
    const method = methodOf(input.proof);
    // The password is proven already, so this tells nothing new; checked first so that a disabled account
    // spends no recovery code and no passkey signature on a login that cannot happen.
    const before = await this.users.findById(input.userId);
    if (before && !before.isActive) throw await refuseDisabled(this.audit, before, context);
    try {
      await this.verify.execute(input, context);
    } catch (err) {
      if (err instanceof InvalidCode) {
        const user = await this.users.findById(input.userId);
        await this.audit.failed('second-factor-failed', user, user?.username ?? '', context, { method });
      }
      throw err;
    }
    return recordLogin({ uow: this.uow, ids: this.ids, clock: this.clock, audit: this.audit }, input.userId, method, context);
  }
}
