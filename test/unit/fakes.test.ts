// The use-case tests lean on these doubles' contracts (uniqueness, paging, rollback): pin them down.
import { expect } from 'chai';
import { UsernameTaken } from '../../src/domain/errors.js';
import { userCreated } from '../../src/domain/events.js';
import type { Username } from '../../src/domain/username.js';
import { anAdmin, aUser } from '../builders.js';
import { InMemoryUnitOfWork, InMemoryUserRepository, SequentialIds } from '../fakes.js';

describe('test doubles', () => {
  it('InMemoryUserRepository refuses a username differing only in case', async () => {
    const users = new InMemoryUserRepository();
    await users.add(aUser({ username: 'ada' }));
    const err = await users.add(aUser({ username: 'ADA' as Username })).catch((e) => e);
    expect(err).to.be.instanceOf(UsernameTaken);
    expect(users.size).to.equal(1);
  });

  it('InMemoryUserRepository stores only what update() is given', async () => {
    const users = new InMemoryUserRepository();
    await users.add(aUser({ id: 'u1' }));
    const user = (await users.findById('u1'))!;
    user.changeRole('admin', new Date());
    expect((await users.findById('u1'))!.role).to.equal('user');
    await users.update(user);
    expect(await users.lockAdmins()).to.equal(1);
  });

  it('InMemoryUserRepository pages by id with a cursor', async () => {
    const users = new InMemoryUserRepository();
    for (const id of ['c', 'a', 'b']) await users.add(aUser({ id }));
    const first = await users.list({ limit: 2 });
    expect(first.users.map((u) => u.id)).to.deep.equal(['a', 'b']);
    const second = await users.list({ limit: 2, after: first.nextCursor! });
    expect(second.users.map((u) => u.id)).to.deep.equal(['c']);
    expect(second.nextCursor).to.equal(null);
  });

  it('InMemoryUnitOfWork discards a failed run’s users, sessions and events, and keeps earlier runs', async () => {
    const uow = new InMemoryUnitOfWork();
    const kept = aUser({ id: 'kept' });
    await uow.run(async ({ users, outbox }) => {
      await users.add(kept);
      await outbox.add(userCreated(kept, null, { id: 'e1', at: new Date() }));
    });
    uow.sessions.start('kept', 's1');

    const lost = anAdmin({ id: 'lost' });
    const err = await uow
      .run(async ({ users, outbox, sessions }) => {
        await users.add(lost);
        await users.remove('kept');
        await sessions.endAllOf('kept');
        await outbox.add(userCreated(lost, null, { id: 'e2', at: new Date() }));
        throw new Error('boom');
      })
      .catch((e) => e);

    expect(err).to.have.property('message', 'boom');
    expect(await uow.users.findById('lost')).to.equal(undefined);
    expect(await uow.users.findById('kept')).not.to.equal(undefined);
    expect(uow.sessions.keysOf('kept')).to.deep.equal(['s1']);
    expect(uow.events.map((e) => e.id)).to.deep.equal(['e1']);
    expect([uow.commits, uow.rollbacks]).to.deep.equal([1, 1]);
  });

  it('SequentialIds sort in the order they were made', () => {
    const ids = new SequentialIds();
    const made = Array.from({ length: 12 }, () => ids.next());
    expect([...made].sort()).to.deep.equal(made);
  });
});
