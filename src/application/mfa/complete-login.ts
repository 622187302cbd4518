import { inject, injectable } from 'inversify';
import { InvalidCode, InvalidCredentials } from '../../domain/errors.js';
import { loggedIn } from '../../domain/events.js';
import { noAudit } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { SignInAudit } from '../audit/sign-in-audit.js';
import { Clock, IdGenerator, UnitOfWork, UserRepository } from '../ports.js';
import { stamp, viewOf, type UserView } from '../user-view.js';
import type { SecondFactorProof, SignInMethod } from './ports.js';
import { methodOf, VerifySecondFactor } from './verify-second-factor.js';

/**
 * Records a login that is now complete, as Authenticate does for an account without a second factor: the
 * login, its event and its audit entry (naming the method that completed it) in one transaction.
 */
export async function recordLogin(
  uow: UnitOfWork,
  userId: string,
  stamps: { ids: IdGenerator; clock: Clock },
  /** What completed it: a second factor after the password, or a passkey alone (`passkey`). */
  method: SignInMethod | 'passkey',
  context: RequestContext,
): Promise<UserView> {
  return uow.run(async ({ users, outbox, audit }) => {
    const user = await users.findById(userId);
    if (!user) throw new InvalidCredentials(); // deleted meanwhile
    user.recordLogin(stamps.clock.now());
    await users.update(user);
    await outbox.add(loggedIn(user, stamp(stamps.ids, stamps.clock)));
    await audit.record({ type: 'login', outcome: 'success', actor: user.id, subjectId: user.id, details: { method }, context });
    return viewOf(user);
  });
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

  /** A wrong or used code, recovery code or passkey is a failed sign-in (reason `second-factor-failed`). */
  async execute(input: { userId: string; proof: SecondFactorProof }, context: RequestContext = {}): Promise<UserView> {
    const method = methodOf(input.proof);
    try {
      await this.verify.execute(input, context);
    } catch (err) {
      if (err instanceof InvalidCode) {
        const user = await this.users.findById(input.userId);
        await this.audit.failed('second-factor-failed', user, user?.username ?? '', context, { method });
      }
      throw err;
    }
    return recordLogin(this.uow, input.userId, { ids: this.ids, clock: this.clock }, method, context);
  }
}
