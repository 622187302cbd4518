import { expect } from 'chai';
import { Forbidden, LastAdmin, UserNotFound, ValidationFailed } from '../../../src/domain/errors.js';
import { anAdmin, aUser, callerOf } from '../../builders.js';
import { T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const LATER = new Date(T0.getTime() + 60_000);

async function setup(admins = 1) {
  const s = useCases();
  const { uow, clock } = s;
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  await uow.users.add(ada);
  await uow.users.add(admin);
  for (let i = 2; i <= admins; i++) await uow.users.add(anAdmin({ id: `admin-${i}`, username: `root${i}` }));
  clock.advance(LATER.getTime() - T0.getTime());
  return { ...s, ada, admin };
}

describe('ChangeRole', () => {
  it('lets an admin promote a user, emitting one user.role_changed', async () => {
    const { uow, changeRole, admin } = await setup();
    const view = await changeRole.execute({ userId: 'ada-id', role: 'admin' }, callerOf(admin));

    expect(view).to.deep.include({ id: 'ada-id', role: 'admin', updatedAt: LATER });
    expect(uow.users.snapshotOf('ada-id')).to.deep.include({ role: 'admin', updatedAt: LATER });
    expect(uow.events).to.have.length(1);
    expect(uow.events[0]).to.deep.include({ type: 'user.role_changed', aggregateId: 'ada-id', occurredAt: LATER });
    expect(uow.events[0]!.payload).to.deep.equal({ userId: 'ada-id', from: 'user', to: 'admin', changedBy: 'admin-id' });
    expect(JSON.stringify(uow.events)).not.to.include('hashed:');
  });

  it('lets an admin demote another admin while one remains', async () => {
    const { uow, changeRole, admin } = await setup(2);
    await changeRole.execute({ userId: 'admin-2', role: 'user' }, callerOf(admin));
    expect(uow.users.snapshotOf('admin-2')?.role).to.equal('user');
    expect(uow.events.map((e) => e.payload)).to.deep.equal([{ userId: 'admin-2', from: 'admin', to: 'user', changedBy: 'admin-id' }]);
  });

  it('lets an admin demote itself while another admin remains', async () => {
    const { uow, changeRole, admin } = await setup(2);
    await changeRole.execute({ userId: 'admin-id', role: 'user' }, callerOf(admin));
    expect(uow.users.snapshotOf('admin-id')?.role).to.equal('user');
  });

  it('refuses to demote the last admin, and changes nothing', async () => {
    const { uow, changeRole, admin } = await setup(1);
    const err = await changeRole.execute({ userId: 'admin-id', role: 'user' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(LastAdmin);
    expect(uow.users.snapshotOf('admin-id')?.role).to.equal('admin');
    expect(uow.events).to.be.empty;
  });

  it('refuses the second of two demotions that would leave no admin', async () => {
    const { uow, changeRole, admin } = await setup(2);
    await changeRole.execute({ userId: 'admin-2', role: 'user' }, callerOf(admin));
    // admin-2 still holds a session that says admin: its role is stale, the count of admins is not.
    const err = await changeRole.execute({ userId: 'admin-id', role: 'user' }, { userId: 'admin-2', role: 'admin' }).catch((e) => e);
    expect(err).to.be.instanceOf(LastAdmin);
    expect(await uow.users.lockAdmins()).to.equal(1);
  });

  it('emits nothing and changes nothing when the role is unchanged', async () => {
    const { uow, changeRole, admin } = await setup();
    const view = await changeRole.execute({ userId: 'ada-id', role: 'user' }, callerOf(admin));
    expect(view.role).to.equal('user');
    expect(uow.users.snapshotOf('ada-id')?.updatedAt).to.deep.equal(T0);
    expect(uow.events).to.be.empty;
    // Nor is re-stating the last admin's role a demotion.
    await changeRole.execute({ userId: 'admin-id', role: 'admin' }, callerOf(admin));
    expect(uow.events).to.be.empty;
  });

  it('lets only an admin change roles, even its own', async () => {
    const { uow, changeRole, ada } = await setup();
    for (const userId of ['ada-id', 'admin-id']) {
      const err = await changeRole.execute({ userId, role: 'admin' }, callerOf(ada)).catch((e) => e);
      expect(err, userId).to.be.instanceOf(Forbidden);
    }
    expect(uow.users.snapshotOf('ada-id')?.role).to.equal('user');
    expect(uow.events).to.be.empty;
  });

  it('refuses an unknown role, naming the field', async () => {
    const { changeRole, admin } = await setup();
    const err = await changeRole.execute({ userId: 'ada-id', role: 'superuser' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(ValidationFailed);
    expect(err.field).to.equal('role');
  });

  it('tells an admin an unknown id is not found', async () => {
    const { uow, changeRole, admin } = await setup();
    const err = await changeRole.execute({ userId: 'no-such-id', role: 'admin' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(UserNotFound);
    expect(uow.events).to.be.empty;
  });

  it('keeps the old role when the event cannot be written', async () => {
    const { uow, changeRole, admin } = await setup();
    uow.failNextOutboxAdd();
    await changeRole.execute({ userId: 'ada-id', role: 'admin' }, callerOf(admin)).catch(() => undefined);
    expect(uow.users.snapshotOf('ada-id')?.role).to.equal('user');
    expect(uow.events).to.be.empty;
  });
});
