import { inject, injectable } from 'inversify';
import { InvalidToken } from '../../domain/errors.js';
import { emailVerified } from '../../domain/events.js';
import type { LoginThrottle } from '../ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from '../user-view.js';
import { TokenThrottle } from './ports.js';

/**
 * Follows a verification link: the token is used up, and verifies the address it was sent to only while that
 * is still the user's address. Every attempt counts against the client's token-guessing budget; a success
 * gives it back.
 */
@injectable()
export class VerifyEmail {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(TokenThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { token: string }, context: { client?: string } = {}): Promise<void> {
    const attempt = { account: '', client: context.client };
    await this.throttle.begin(attempt);
    // Decided inside, thrown outside: the use of an expired token still commits.
    const verified = await this.uow.run(async (tx) => {
      const now = this.clock.now();
      const token = await tx.emailTokens.take(input.token, 'verify-email');
      if (!token || token.expiresAt <= now) return false;
      const user = await tx.users.findForUpdate(token.userId);
      if (!user || !user.verifyEmail(token.email, now)) return false;
      await tx.users.update(user);
      await tx.outbox.add(emailVerified(user, stamp(this.ids, this.clock)));
      return true;
    });
    if (!verified) throw new InvalidToken();
    await this.throttle.succeeded(attempt);
  }
}
