import { expect } from 'chai';
import { CannotDeleteSelf, Forbidden, LastAdmin, UserNotFound } from '../../../src/domain/errors.js';
import { anAdmin, aUser, callerOf } from '../../builders.js';
import { T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

async function setup() {
  const s = useCases();
  const { uow } = s;
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const bob = aUser({ id: 'bob-id', username: 'bob' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  for (const u of [ada, bob, admin]) await uow.users.add(u);
  uow.sessions.start('ada-id', 'ada-laptop');
  uow.sessions.start('ada-id', 'ada-phone');
  uow.sessions.start('bob-id', 'bob-laptop');
  uow.sessions.start('admin-id', 'admin-laptop');
  return { ...s, ada, bob, admin };
}

describe('DeleteUser', () => {
  it('lets an admin delete a user, ending all its sessions (one user.sessions_ended) and emitting one user.deleted', async () => {
    const { uow, deleteUser, admin } = await setup();
    await deleteUser.execute({ userId: 'ada-id' }, callerOf(admin));

    expect(await uow.users.findById('ada-id')).to.equal(undefined);
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal([]);
    expect(uow.sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
    expect(uow.sessions.keysOf('admin-id')).to.deep.equal(['admin-laptop']);
    expect(uow.events).to.have.length(2);
    expect(uow.events[0]).to.deep.include({ type: 'user.sessions_ended', aggregateId: 'ada-id', occurredAt: T0 });
    expect(uow.events[0]!.payload).to.deep.equal({
      userId: 'ada-id',
      sessionIds: ['ada-laptop', 'ada-phone'],
      reason: 'user-deleted',
      endedBy: 'admin-id',
    });
    expect(uow.events[1]).to.deep.include({ type: 'user.deleted', aggregateId: 'ada-id', occurredAt: T0 });
    expect(uow.events[1]!.payload).to.deep.equal({ userId: 'ada-id', username: 'ada', deletedBy: 'admin-id' });
    expect(JSON.stringify(uow.events)).not.to.include('hashed:');
  });

  it('lets an admin delete another admin', async () => {
    const { uow, deleteUser, admin } = await setup();
    await uow.users.add(anAdmin({ id: 'admin-2', username: 'root2' }));
    await deleteUser.execute({ userId: 'admin-2' }, callerOf(admin));
    expect(await uow.users.findById('admin-2')).to.equal(undefined);
  });

  it('refuses an admin deleting itself', async () => {
    const { uow, deleteUser, admin } = await setup();
    const err = await deleteUser.execute({ userId: 'admin-id' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(CannotDeleteSelf);
    expect(await uow.users.findById('admin-id')).not.to.equal(undefined);
    expect(uow.events).to.be.empty;
  });

  it('forbids users, deleting others or themselves', async () => {
    const { uow, deleteUser, ada } = await setup();
    for (const userId of ['bob-id', 'ada-id', 'admin-id']) {
      const err = await deleteUser.execute({ userId }, callerOf(ada)).catch((e) => e);
      expect(err, userId).to.be.instanceOf(Forbidden);
    }
    expect(uow.users.size).to.equal(3);
    expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
    expect(uow.events).to.be.empty;
  });

  it('tells an admin an unknown id is not found', async () => {
    const { uow, deleteUser, admin } = await setup();
    const err = await deleteUser.execute({ userId: 'no-such-id' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(UserNotFound);
    expect(uow.events).to.be.empty;
  });

  it('refuses to delete the last admin, even for a caller whose admin role is stale', async () => {
    const { uow, deleteUser, ada } = await setup();
    // ada was an admin when her session was read; since then she was demoted and root is the only admin.
    const err = await deleteUser.execute({ userId: 'admin-id' }, { userId: ada.id, role: 'admin' }).catch((e) => e);
    expect(err).to.be.instanceOf(LastAdmin);
    expect(await uow.users.findById('admin-id')).not.to.equal(undefined);
    expect(uow.sessions.keysOf('admin-id')).to.deep.equal(['admin-laptop']);
    expect(uow.events).to.be.empty;
  });

  it('keeps the user and its sessions when the event cannot be written', async () => {
    const { uow, deleteUser, admin } = await setup();
    uow.failNextOutboxAdd();
    await deleteUser.execute({ userId: 'ada-id' }, callerOf(admin)).catch(() => undefined);
    expect(await uow.users.findById('ada-id')).not.to.equal(undefined);
    expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
    expect(uow.events).to.be.empty;
  });
});
