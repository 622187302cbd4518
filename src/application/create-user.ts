import { inject, injectable } from 'inversify';
import { assertMayCreate, type Creator } from '../domain/access-policy.js';
import { userCreated } from '../domain/events.js';
import { parseNewPassword } from '../domain/password.js';
import { parseRole } from '../domain/role.js';
import { User } from '../domain/user.js';
import { parseUsername } from '../domain/username.js';
import { actorOf } from './audit/entries.js';
import type { RequestContext } from './audit/ports.js';
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

  async execute(
    input: { username: string; password: string; role?: string },
    creator: Creator,
    context: RequestContext = {},
  ): Promise<UserView> {
    const username = parseUsername(input.username);
    const role = parseRole(input.role ?? 'user');
    assertMayCreate(creator, role);
    const password = parseNewPassword(input.password, { username, isCommon: (p) => this.commonPasswords.includes(p) });
    // Hash before the transaction opens: bcrypt is slow and must not hold a connection.
    const passwordHash = await this.hasher.hash(password);
    const user = User.register({ id: this.ids.next(), username, role, passwordHash, now: this.clock.now() });
    const createdBy = typeof creator === 'string' ? null : creator.userId;
    await this.uow.run(async ({ users, outbox, audit }) => {
      await users.add(user);
      await outbox.add(userCreated(user, createdBy, stamp(this.ids, this.clock)));
      const actor = typeof creator === 'string' ? creator : actorOf(creator);
      await audit.record({ type: 'user.created', outcome: 'success', actor, subjectId: user.id, details: { username, role }, context });
    });
    return viewOf(user);
  }
}
