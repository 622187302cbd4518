import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { inject, injectable } from 'inversify';
import { mustConfirmEmailChange, type Caller } from '../../domain/access-policy.js';
import { parseEmailAddress } from '../../domain/email-address.js';
import { UserNotFound } from '../../domain/errors.js';
import { emailChanged } from '../../domain/events.js';
import { confirmCurrentPassword } from '../accounts/password-check.js';
import { Clock, IdGenerator, LoginThrottle, PasswordHasher, UnitOfWork, UserRepository } from '../ports.js';
import { stamp, viewOf, type UserView } from '../accounts/user-view.js';
import { mailFor, sendVerification } from './mail.js';

/**
 * Sets a user's address (self with the current password, or an admin for anyone). The new address is
 * unverified until its link is followed; every token sent to the old one is void; a verified old address is
 * told of the change, so an owner whose account was taken over hears of it.
 */
@injectable()
export class ChangeEmail {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(
    input: { userId: string; email: string; currentPassword?: string },
    caller: Caller,
    context: RequestContext = {},
  ): Promise<UserView> {
    const mustConfirm = mustConfirmEmailChange(caller, input.userId);
    const email = parseEmailAddress(input.email);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    if (mustConfirm)
      await confirmCurrentPassword({ throttle: this.throttle, hasher: this.hasher }, user, input.currentPassword, context.client);

    const stamps = { ids: this.ids, clock: this.clock };
    return this.uow.run(async (tx) => {
      const target = await tx.users.findForUpdate(input.userId);
      if (!target) throw new UserNotFound();
      if (target.email === email) return viewOf(target); // the same address: nothing changes, nothing is sent
      const previous = target.email;
      const previousVerified = target.verifiedEmail;
      target.changeEmail(email, this.clock.now());
      await tx.users.update(target); // EmailTaken from the unique index
      await tx.emailTokens.voidAll(target.id); // links sent to the old address die with it
      await sendVerification(tx, target, stamps);
      if (previousVerified) await tx.mail.add(mailFor(target, previousVerified, 'email-changed', stamps));
      await tx.outbox.add(emailChanged(target, previous, caller.userId, stamp(this.ids, this.clock)));
      const { client, userAgent, requestId } = context;
      await tx.audit.record({
        type: 'email.changed',
        outcome: 'success',
        actor: actorOf(caller),
        subjectId: target.id,
        details: { email, previousEmail: previous },
        context: { client, userAgent, requestId },
      });
      return viewOf(target);
    });
  }
}
