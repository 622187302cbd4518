import type { RequestContext } from '../audit/ports.js';
import { inject, injectable } from 'inversify';
import { InvalidToken } from '../../domain/errors.js';
import { emailVerified } from '../../domain/events.js';
import type { LoginThrottle } from '../ports.js';
import { Clock, IdGenerator, UnitOfWork } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
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

  async execute(input: { token: string }, context: RequestContext = {}): Promise<void> {
    const attempt = { account: '', client: context.client };
    await this.throttle.begin(attempt);
    let verified: boolean;
    try {
      verified = await this.verify(input, context);
    } catch (err) {
      await this.throttle.cancel(attempt); // not checked: not counted
      throw err;
    }
    if (!verified) {
      await this.throttle.failed(attempt);
      throw new InvalidToken();
    }
    await this.throttle.succeeded(attempt);
  }

  private async verify(input: { token: string }, context: RequestContext): Promise<boolean> {
    // Decided inside, thrown outside: the use of an expired token still commits.
    return this.uow.run(async (tx) => {
      const now = this.clock.now();
      const token = await tx.emailTokens.take(input.token, 'verify-email');
      if (!token || token.expiresAt <= now) return false;
      const user = await tx.users.findForUpdate(token.userId);
      if (!user || !user.verifyEmail(token.email, now)) return false;
      await tx.users.update(user);
      await tx.outbox.add(emailVerified(user, stamp(this.ids, this.clock)));
      const { client, userAgent, requestId } = context;
      await tx.audit.record({
        type: 'email.verified',
        outcome: 'success',
        actor: user.id,
        subjectId: user.id,
        details: { email: token.email },
        context: { client, userAgent, requestId },
      });
      return true;
    });
  }
}
