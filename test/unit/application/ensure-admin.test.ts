import { expect } from 'chai';
import { EnsureAdmin } from '../../../src/application/accounts/ensure-admin.js';
import { ValidationFailed } from '../../../src/domain/errors.js';
import type { Username } from '../../../src/domain/username.js';
import { anAdmin, aUser } from '../../builders.js';
import { InMemoryUserRepository } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const PASSWORD = 'start-up admin password';

const setup = () => useCases();

describe('EnsureAdmin', () => {
  it('creates the admin, then finds it on every later start', async () => {
    const { uow, ensureAdmin } = setup();
    expect(await ensureAdmin.execute({ username: 'Root', password: PASSWORD })).to.equal('created');
    expect(await ensureAdmin.execute({ username: 'root', password: PASSWORD })).to.equal('exists');
    expect(await ensureAdmin.execute({ username: 'root', password: 'a different password' })).to.equal('exists');

    expect(uow.users.size).to.equal(1);
    const root = await uow.users.findByUsername('root' as Username);
    expect(root?.role).to.equal('admin');
    expect(root?.passwordHash).to.equal(`hashed:${PASSWORD}`);
    expect(uow.events.map((e) => [e.type, e.payload])).to.deep.equal([
      ['user.created', { userId: root!.id, username: 'root', role: 'admin', createdBy: null, email: null }],
    ]);
    expect(JSON.stringify(uow.events)).not.to.include(PASSWORD);
  });

  it('leaves an existing admin as it is', async () => {
    const { uow, ensureAdmin } = setup();
    await uow.users.add(anAdmin({ id: 'root-id', username: 'root', password: 'changed since' }));
    expect(await ensureAdmin.execute({ username: 'root', password: PASSWORD })).to.equal('exists');
    expect(uow.users.snapshotOf('root-id')?.passwordHash).to.equal('hashed:changed since');
    expect(uow.events).to.be.empty;
  });

  it('reports a plain user of that name, and neither promotes nor changes it', async () => {
    const { uow, ensureAdmin } = setup();
    await uow.users.add(aUser({ id: 'root-id', username: 'root' }));
    expect(await ensureAdmin.execute({ username: 'root', password: PASSWORD })).to.equal('exists-not-admin');
    expect(uow.users.snapshotOf('root-id')?.role).to.equal('user');
    expect(uow.users.size).to.equal(1);
    expect(uow.events).to.be.empty;
  });

  it('reports exists when another instance created it between the look-up and the insert', async () => {
    const { uow, createUser } = setup();
    await uow.users.add(anAdmin({ id: 'root-id', username: 'root' }));
    const lookupBeforeTheOtherInstance = new InMemoryUserRepository(); // still empty when read
    const ensureAdmin = new EnsureAdmin(createUser, lookupBeforeTheOtherInstance);
    expect(await ensureAdmin.execute({ username: 'root', password: PASSWORD })).to.equal('exists');
    expect(uow.users.size).to.equal(1);
    expect(uow.events).to.be.empty;
  });

  it('refuses a configured password that breaks the policy', async () => {
    const { uow, ensureAdmin } = setup();
    const err = await ensureAdmin.execute({ username: 'root', password: 'short' }).catch((e) => e);
    expect(err).to.be.instanceOf(ValidationFailed);
    expect(uow.users.size).to.equal(0);
  });
});
