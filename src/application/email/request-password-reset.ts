import type { RequestContext } from '../audit/ports.js';
import { inject, injectable } from 'inversify';
import { looksLikeEmail, parseEmailAddress } from '../../domain/email-address.js';
import { TooManyAttempts, ValidationFailed } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import { parseUsername } from '../../domain/username.js';
import type { LoginThrottle } from '../ports.js';
import { Clock, IdGenerator, UnitOfWork, UserRepository } from '../ports.js';
import { mailFor } from './mail.js';
import { EmailSettings, ForgotAccountThrottle, ForgotClientThrottle, Pacer } from './ports.js';

const MAX_ACCOUNT_KEY = 128;

/**
 * POST /password/forgot. The answer is the same, after about the same time, whether the account exists, has
 * a verified address, or was asked for too often: the caller learns nothing about it. Only a client over its
 * own limit hears so (429), and that says nothing about any account either.
 */
@injectable()
export class RequestPasswordReset {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(ForgotClientThrottle) private readonly clientThrottle: LoginThrottle,
    @inject(ForgotAccountThrottle) private readonly accountThrottle: LoginThrottle,
    @inject(EmailSettings) private readonly settings: EmailSettings,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(Pacer) private readonly pacer: Pacer,
  ) {}

  /** The floor hides the difference between finding nothing and writing a token and a message. */
  async execute(input: { username: string }, context: RequestContext = {}): Promise<void> {
    return this.pacer.atLeast(this.settings.forgotMinDurationMs, () => this.request(input, context));
  }

  private async request(input: { username: string }, context: RequestContext): Promise<void> {
    // Every request stays counted, whatever it finds: begin() reserves, failed() keeps.
    const clientAttempt = { account: '', client: context.client };
    await this.clientThrottle.begin(clientAttempt);
    await this.clientThrottle.failed(clientAttempt);
    const user = await this.accountNamed(input.username);
    // Counted for unknown names too (the same writes either way); over the limit, silently nothing is sent.
    const account = user?.id ?? input.username.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY);
    const accountAttempt = { account };
    const allowed = await this.accountThrottle.begin(accountAttempt).then(
      async () => {
        await this.accountThrottle.failed(accountAttempt);
        return true;
      },
      (err: unknown) => {
        if (err instanceof TooManyAttempts) return false;
        throw err;
      },
    );
    if (user?.verifiedEmail && allowed) await this.send(user.id, context);
  }

  private async send(userId: string, context: RequestContext): Promise<void> {
    await this.uow.run(async (tx) => {
      const user = await tx.users.findForUpdate(userId);
      const email = user?.verifiedEmail;
      if (!user || !email) return;
      const expiresAt = new Date(this.clock.now().getTime() + this.settings.resetTtlMs);
      const token = await tx.emailTokens.issue({ userId: user.id, purpose: 'password-reset', email, expiresAt });
      await tx.mail.add(mailFor(user, email, 'password-reset', { ids: this.ids, clock: this.clock }, { token }));
      const { client, userAgent, requestId } = context;
      await tx.audit.record({
        type: 'password.reset_requested',
        outcome: 'success',
        actor: 'anonymous',
        subjectId: user.id,
        details: { email },
        context: { client, userAgent, requestId },
      });
    });
  }

  /** By username, or by a verified address: an unverified address never receives a reset. */
  private async accountNamed(raw: string): Promise<User | undefined> {
    try {
      if (!looksLikeEmail(raw)) return await this.users.findByUsername(parseUsername(raw));
      const user = await this.users.findByEmail(parseEmailAddress(raw));
      return user?.emailVerified ? user : undefined;
    } catch (err) {
      if (err instanceof ValidationFailed) return undefined;
      throw err;
    }
  }
}
