import { expect } from 'chai';
import { type Authenticate } from '../../../src/application/sessions/authenticate.js';
import { InvalidCredentials } from '../../../src/domain/errors.js';
import { A_PASSWORD, aUser } from '../../builders.js';
import { T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const LATER = new Date(T0.getTime() + 3_600_000);

async function setup() {
  const { uow, hasher, clock, authenticate } = useCases();
  await uow.users.add(aUser({ id: 'ada-id', username: 'ada' })); // stored as `hashed:…`
  clock.advance(LATER.getTime() - T0.getTime());
  return { uow, hasher, authenticate };
}

const logIn = (authenticate: Authenticate, password = A_PASSWORD) => authenticate.execute({ username: 'ada', password });

describe('Authenticate upgrading an old hash', () => {
  it('re-hashes at a successful login when the hash needs it, storing it as a login, not an update', async () => {
    const { uow, hasher, authenticate } = await setup();
    hasher.scheme = 'hashed-v2'; // the cost was raised since Ada's hash was made
    expect(hasher.needsRehash(`hashed:${A_PASSWORD}`)).to.equal(true);

    await logIn(authenticate);
    expect(hasher.hashCalls).to.equal(1);
    expect(uow.users.snapshotOf('ada-id')).to.deep.include({
      passwordHash: `hashed-v2:${A_PASSWORD}`,
      updatedAt: T0,
      lastLoginAt: LATER,
    });
    expect(uow.events.map((e) => e.type)).to.deep.equal(['user.logged_in']);
    expect(JSON.stringify(uow.events)).not.to.include('hashed');
  });

  it('keeps logging in with the upgraded hash, and does not upgrade it again', async () => {
    const { uow, hasher, authenticate } = await setup();
    hasher.scheme = 'hashed-v2';
    await logIn(authenticate);
    await logIn(authenticate);
    expect(hasher.hashCalls).to.equal(1);
    expect(uow.users.snapshotOf('ada-id')?.passwordHash).to.equal(`hashed-v2:${A_PASSWORD}`);
  });

  it('hashes nothing more when the hash does not need it', async () => {
    const { uow, hasher, authenticate } = await setup();
    expect(hasher.needsRehash(`hashed:${A_PASSWORD}`)).to.equal(false);
    await logIn(authenticate);
    expect(hasher.hashCalls).to.equal(0);
    expect(uow.users.snapshotOf('ada-id')?.passwordHash).to.equal(`hashed:${A_PASSWORD}`);
  });

  it('upgrades nothing on a wrong password', async () => {
    const { uow, hasher, authenticate } = await setup();
    hasher.scheme = 'hashed-v2';
    expect(await logIn(authenticate, 'wrong password').catch((e) => e)).to.be.instanceOf(InvalidCredentials);
    expect(uow.users.snapshotOf('ada-id')?.passwordHash).to.equal(`hashed:${A_PASSWORD}`);
    expect(uow.events).to.be.empty;
  });

  it('does not overwrite a password changed while the new hash was being made', async () => {
    const { uow, hasher, authenticate } = await setup();
    hasher.scheme = 'hashed-v2';
    const hash = hasher.hash.bind(hasher);
    hasher.hash = async (plain) => {
      const changed = (await uow.users.findById('ada-id'))!;
      changed.changePassword('hashed-v2:changed meanwhile', LATER); // Ada changes it on another device
      await uow.users.update(changed);
      return hash(plain);
    };
    await logIn(authenticate);
    expect(uow.users.snapshotOf('ada-id')?.passwordHash).to.equal('hashed-v2:changed meanwhile');
  });
});
