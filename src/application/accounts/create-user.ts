import { inject, injectable } from 'inversify';
import { assertMayCreate, type Creator } from '../../domain/access-policy.js';
import { Busy, UsernameTaken } from '../../domain/errors.js';
import { userCreated } from '../../domain/events.js';
import { parseEmailAddress } from '../../domain/email-address.js';
import { parseNewPassword } from '../../domain/password.js';
import { parseRole } from '../../domain/role.js';
import { User } from '../../domain/user.js';
import { parseUsername } from '../../domain/username.js';
import { actorOf } from '../audit/entries.js';
import type { RequestContext } from '../audit/ports.js';
import { sendVerification } from '../email/mail.js';
import { Clock, CommonPasswords, IdGenerator, PasswordHasher, RegistrationThrottle, UnitOfWork, UserRepository } from '../ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

@injectable()
export class CreateUser {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(CommonPasswords) private readonly commonPasswords: CommonPasswords,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(RegistrationThrottle) private readonly throttle: RegistrationThrottle,
  ) {}

  /** `context.client` is the address of whoever registers: registrations are throttled per address, but an admin's are not. */
  async execute(
    input: { username: string; password: string; role?: string; email?: string },
    creator: Creator,
    context: RequestContext = {},
  ): Promise<UserView> {
    const username = parseUsername(input.username);
    const email = input.email === undefined ? null : parseEmailAddress(input.email);
    const role = parseRole(input.role ?? 'user');
    assertMayCreate(creator, role);
    const password = parseNewPassword(input.password, { username, isCommon: (p) => this.commonPasswords.includes(p) });
    const client = throttled(creator) ? context.client : undefined;
    if (client !== undefined) await this.throttle.begin(client);
    // A taken name is answered before bcrypt runs; the unique index still decides between two at once.
    if (await this.users.findByUsername(username)) throw new UsernameTaken();
    // Hash before the transaction opens: bcrypt is slow and must not hold a connection.
    const passwordHash = await this.hash(password, client);
    const user = User.register({ id: this.ids.next(), username, role, passwordHash, now: this.clock.now(), email });
    const createdBy = typeof creator === 'string' ? null : creator.userId;
    await this.uow.run(async (tx) => {
      await tx.users.add(user);
      await tx.outbox.add(userCreated(user, createdBy, stamp(this.ids, this.clock)));
      const actor = typeof creator === 'string' ? creator : actorOf(creator);
      await tx.audit.record({ type: 'user.created', outcome: 'success', actor, subjectId: user.id, details: { username, role }, context });
      await sendVerification(tx, user, { ids: this.ids, clock: this.clock });
    });
    return viewOf(user);
  }

  /** A registration refused for our overload (Busy) is given back: the client must not pay for it. */
  private async hash(password: string, client: string | undefined): Promise<string> {
    try {
      return await this.hasher.hash(password);
    } catch (err) {
      if (err instanceof Busy && client !== undefined) await this.throttle.cancel(client);
      throw err;
    }
  }
}

/** Anyone but an admin or the service itself: admins create accounts as part of their job. */
function throttled(creator: Creator): boolean {
  return creator !== 'system' && (creator === 'anonymous' || creator.role !== 'admin');
}
