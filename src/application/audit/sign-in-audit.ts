import { inject, injectable } from 'inversify';
import type { TooManyAttempts } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import type { Username } from '../../domain/username.js';
import { Clock, UserRepository, type LoginAttempt } from '../ports.js';
import { nameTried } from './entries.js';
import { AuditTrail, type RequestContext, type SignInFailure } from './ports.js';
import { ThrottleBlocks } from './throttle-blocks.js';

/**
 * The entries of sign-ins that did not happen: they change nothing else, so each is written on its own. A
 * successful sign-in is written by the use case, in the transaction that records it.
 */
@injectable()
export class SignInAudit {
  private readonly blocks = new ThrottleBlocks();

  constructor(
    @inject(AuditTrail) private readonly trail: AuditTrail,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * `user` when the name belongs to an account; otherwise the name is kept as typed (cut short). `method` names
   * the second factor that failed, for `second-factor-failed`.
   */
  failed(
    reason: SignInFailure,
    user: User | undefined,
    tried: string,
    context: RequestContext,
    extra: { method?: string } = {},
  ): Promise<void> {
    return this.trail.record({
      type: 'login',
      outcome: 'failure',
      actor: 'anonymous',
      subjectId: user?.id ?? null,
      details: { reason, username: user?.username ?? nameTried(tried), ...(extra.method !== undefined && { method: extra.method }) },
      context,
    });
  }

  /**
   * Refused attempts are not written one by one (a flood of them would become a flood of writes): the block is
   * written once, when it begins, with what it is keyed on and when it ends.
   */
  async blocked(attempt: LoginAttempt, refusal: TooManyAttempts, username: Username | undefined, context: RequestContext): Promise<void> {
    const now = this.clock.now().getTime();
    const until = now + refusal.retryAfterSeconds * 1000;
    if (!this.blocks.begins(attempt, until, now)) return;
    const user = username && (await this.users.findByUsername(username));
    await this.trail.record({
      type: 'login.blocked',
      outcome: 'failure',
      actor: 'anonymous',
      subjectId: user ? user.id : null,
      details: {
        reason: 'throttled',
        username: attempt.account === undefined ? null : nameTried(attempt.account),
        client: attempt.client ?? null,
        until: new Date(until).toISOString(),
      },
      context,
    });
  }
}
