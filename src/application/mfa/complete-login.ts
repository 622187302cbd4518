import { inject, injectable } from 'inversify';
import { InvalidCredentials } from '../../domain/errors.js';
import { loggedIn } from '../../domain/events.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp, viewOf, type UserView } from '../user-view.js';
import type { SecondFactorProof } from './ports.js';
import { VerifySecondFactor } from './verify-second-factor.js';

/** Records a login that is now complete, as Authenticate does for an account without a second factor. */
export async function recordLogin(uow: UnitOfWork, userId: string, ids: IdGenerator, clock: Clock): Promise<UserView> {
  return uow.run(async ({ users, outbox }) => {
    const user = await users.findById(userId);
    if (!user) throw new InvalidCredentials(); // deleted meanwhile
    user.recordLogin(clock.now());
    await users.update(user);
    await outbox.add(loggedIn(user, stamp(ids, clock)));
    return viewOf(user);
  });
}

/** Finishes a login whose password was right, with the second factor: the same outcome as a full login. */
@injectable()
export class CompleteLogin {
  constructor(
    @inject(VerifySecondFactor) private readonly verify: VerifySecondFactor,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; proof: SecondFactorProof }, context: { client?: string } = {}): Promise<UserView> {
    await this.verify.execute(input, context);
    return recordLogin(this.uow, input.userId, this.ids, this.clock);
  }
}
