import { inject, injectable } from 'inversify';
import type { Caller } from '../../domain/access-policy.js';
import { NotAuthenticated, ValidationFailed } from '../../domain/errors.js';
import type { LoginThrottle } from '../ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { sendVerification } from './mail.js';
import { ResendThrottle } from './ports.js';

/**
 * Sends the caller a fresh verification link (the older ones die). Throttled per account: each request is a
 * message to somebody's mailbox. An address already verified gets nothing.
 */
@injectable()
export class ResendVerification {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(ResendThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller): Promise<void> {
    await this.throttle.begin({ account: caller.userId });
    await this.uow.run(async (tx) => {
      const user = await tx.users.findForUpdate(caller.userId);
      if (!user) throw new NotAuthenticated();
      if (!user.email) throw new ValidationFailed('email', 'the account has no email address: set one first');
      if (user.emailVerified) return;
      await sendVerification(tx, user, { ids: this.ids, clock: this.clock });
    });
  }
}
