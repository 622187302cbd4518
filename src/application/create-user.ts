import { inject, injectable } from 'inversify';
import { assertMayCreate, type Creator } from '../domain/access-policy.js';
import { userCreated } from '../domain/events.js';
import { parseEmailAddress } from '../domain/email-address.js';
import { parseNewPassword } from '../domain/password.js';
import { parseRole } from '../domain/role.js';
import { User } from '../domain/user.js';
import { parseUsername } from '../domain/username.js';
import { sendVerification } from './email/mail.js';
import { Clock, CommonPasswords, IdGenerator, PasswordHasher, UnitOfWork } from './ports.js';
import { stamp, viewOf, type UserView } from './user-view.js';

@injectable()
export class CreateUser {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(CommonPasswords) private readonly commonPasswords: CommonPasswords,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { username: string; password: string; role?: string; email?: string }, creator: Creator): Promise<UserView> {
    const username = parseUsername(input.username);
    const email = input.email === undefined ? null : parseEmailAddress(input.email);
    const role = parseRole(input.role ?? 'user');
    assertMayCreate(creator, role);
    const password = parseNewPassword(input.password, { username, isCommon: (p) => this.commonPasswords.includes(p) });
    // Hash before the transaction opens: bcrypt is slow and must not hold a connection.
    const passwordHash = await this.hasher.hash(password);
    const user = User.register({ id: this.ids.next(), username, role, passwordHash, now: this.clock.now(), email });
    const createdBy = typeof creator === 'string' ? null : creator.userId;
    await this.uow.run(async (tx) => {
      await tx.users.add(user);
      await tx.outbox.add(userCreated(user, createdBy, stamp(this.ids, this.clock)));
      await sendVerification(tx, user, { ids: this.ids, clock: this.clock });
    });
    return viewOf(user);
  }
}
