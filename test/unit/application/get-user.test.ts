import { expect } from 'chai';
import { Forbidden, UserNotFound } from '../../../src/domain/errors.js';
import { anAdmin, aUser, callerOf } from '../../builders.js';
import { T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

async function setup() {
  const { uow, getUser } = useCases();
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const bob = aUser({ id: 'bob-id', username: 'bob' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  for (const u of [ada, bob, admin]) await uow.users.add(u);
  return { getUser, ada, bob, admin };
}

describe('GetUser', () => {
  it('lets a user read itself, without the hash', async () => {
    const { getUser, ada } = await setup();
    const view = await getUser.execute({ userId: 'ada-id' }, callerOf(ada));
    expect(view).to.deep.equal({
      id: 'ada-id',
      username: 'ada',
      role: 'user',
      status: 'active',
      statusReason: null,
      email: null,
      emailVerified: false,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('forbids a user to read another account', async () => {
    const { getUser, ada } = await setup();
    expect(await getUser.execute({ userId: 'bob-id' }, callerOf(ada)).catch((e) => e)).to.be.instanceOf(Forbidden);
  });

  it('forbids a user to probe an unknown id, so it learns nothing of which ids exist', async () => {
    const { getUser, ada } = await setup();
    expect(await getUser.execute({ userId: 'no-such-id' }, callerOf(ada)).catch((e) => e)).to.be.instanceOf(Forbidden);
  });

  it('lets an admin read any account', async () => {
    const { getUser, admin } = await setup();
    expect((await getUser.execute({ userId: 'bob-id' }, callerOf(admin))).username).to.equal('bob');
    expect((await getUser.execute({ userId: 'admin-id' }, callerOf(admin))).role).to.equal('admin');
  });

  it('tells an admin that an unknown id is not found', async () => {
    const { getUser, admin } = await setup();
    const err = await getUser.execute({ userId: 'no-such-id' }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(UserNotFound);
  });

  it('tells a user whose account is gone that it is not found', async () => {
    const { getUser } = await setup();
    const err = await getUser.execute({ userId: 'gone-id' }, { userId: 'gone-id', role: 'user' }).catch((e) => e);
    expect(err).to.be.instanceOf(UserNotFound);
  });
});
