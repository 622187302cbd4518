import { expect } from 'chai';
import { LastAdmin } from '../../../../src/domain/errors.js';
import { anAdmin, callerOf } from '../../../builders.js';
import { useCases } from '../../../support/use-cases.js';

/** The last-admin rule counts active admins: a disabled admin neither keeps the rule satisfied nor is protected by it. */
describe('the last-admin rule with disabled admins', () => {
  async function setup() {
    const s = useCases();
    const { uow } = s;
    const root = anAdmin({ id: 'root-id', username: 'root' });
    await uow.users.add(root);
    await uow.users.add(anAdmin({ id: 'dormant-id', username: 'dormant', status: 'disabled' }));
    return { ...s, root };
  }

  it('lets the only active admin demote or delete a disabled admin', async () => {
    const { uow, root, changeRole, deleteUser } = await setup();
    await changeRole.execute({ userId: 'dormant-id', role: 'user' }, callerOf(root));
    expect(uow.users.snapshotOf('dormant-id')?.role).to.equal('user');
    await changeRole.execute({ userId: 'dormant-id', role: 'admin' }, callerOf(root));
    await deleteUser.execute({ userId: 'dormant-id' }, callerOf(root));
    expect(uow.users.snapshotOf('dormant-id')).to.equal(undefined);
    expect(uow.audit.map((e) => [e.type, e.details])).to.deep.equal([
      ['user.role_changed', { from: 'admin', to: 'user' }],
      ['user.role_changed', { from: 'user', to: 'admin' }],
      ['user.deleted', { username: 'dormant' }],
    ]);
  });

  it('still refuses to demote the only active admin, though a disabled one exists', async () => {
    const { uow, root, changeRole } = await setup();
    const err = await changeRole.execute({ userId: 'root-id', role: 'user' }, callerOf(root)).catch((e) => e);
    expect(err).to.be.instanceOf(LastAdmin);
    expect(uow.users.snapshotOf('root-id')?.role).to.equal('admin');
    expect(uow.audit).to.be.empty;
  });
});
