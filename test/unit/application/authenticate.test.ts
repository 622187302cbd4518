import { expect } from 'chai';
import { InvalidCredentials } from '../../../src/domain/errors.js';
import { aUser } from '../../builders.js';
import { fakeHasher, T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const PASSWORD = 'correct horse battery';
const LATER = new Date(T0.getTime() + 3_600_000);

function setup(options: { likeBcrypt?: boolean } = {}) {
  return useCases({ hasher: fakeHasher(options) });
}

async function withAda(options: { likeBcrypt?: boolean; password?: string } = {}) {
  const s = setup(options);
  await s.uow.users.add(aUser({ id: 'ada-id', username: 'ada', password: options.password ?? PASSWORD }));
  s.clock.advance(LATER.getTime() - T0.getTime());
  return s;
}

describe('Authenticate', () => {
  it('returns the user, records lastLoginAt and emits one user.logged_in', async () => {
    const { uow, authenticate } = await withAda();
    const view = await authenticate.execute({ username: 'ada', password: PASSWORD });

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
    expect(uow.users.snapshotOf('ada-id')?.lastLoginAt).to.deep.equal(LATER);
    expect(uow.events).to.have.length(1);
    expect(uow.events[0]).to.deep.include({ type: 'user.logged_in', aggregateId: 'ada-id', occurredAt: LATER });
    expect(uow.events[0]!.payload).to.deep.equal({ userId: 'ada-id' });
    const serialized = JSON.stringify(uow.events);
    expect(serialized).not.to.include(PASSWORD);
    expect(serialized).not.to.include(`hashed:${PASSWORD}`);
  });

  it('finds the user whatever the case and spacing of the name', async () => {
    const { authenticate } = await withAda();
    expect((await authenticate.execute({ username: ' ADA ', password: PASSWORD })).id).to.equal('ada-id');
  });

  it('answers a wrong password with InvalidCredentials after one verify, recording nothing', async () => {
    const { uow, hasher, authenticate } = await withAda();
    const err = await authenticate.execute({ username: 'ada', password: 'wrong password' }).catch((e) => e);

    expect(err).to.be.instanceOf(InvalidCredentials);
    expect(hasher.verifyCalls).to.have.length(1);
    expect(uow.users.snapshotOf('ada-id')?.lastLoginAt).to.equal(null);
    expect(uow.events).to.be.empty;
  });

  it('answers an unknown user the same way, after one verify against a dummy hash', async () => {
    const { uow, hasher, authenticate } = await withAda();
    const err = await authenticate.execute({ username: 'nobody', password: PASSWORD }).catch((e) => e);

    expect(err).to.be.instanceOf(InvalidCredentials);
    expect(err.message).to.equal(new InvalidCredentials().message);
    expect(hasher.verifyCalls).to.have.length(1);
    expect(hasher.verifyCalls[0]!.hash).to.match(/^hashed:/); // a real hash of the same cost, not an empty string
    expect(uow.events).to.be.empty;
  });

  it('answers a malformed username with InvalidCredentials after one verify', async () => {
    const { hasher, authenticate } = await withAda();
    for (const username of ['x', 'not a name!', '']) {
      hasher.verifyCalls = [];
      const err = await authenticate.execute({ username, password: PASSWORD }).catch((e) => e);
      expect(err, JSON.stringify(username)).to.be.instanceOf(InvalidCredentials);
      expect(hasher.verifyCalls).to.have.length(1);
    }
  });

  it('makes the dummy hash once, not on every unknown name', async () => {
    const { hasher, authenticate } = await withAda();
    await authenticate.execute({ username: 'nobody', password: PASSWORD }).catch(() => undefined);
    await authenticate.execute({ username: 'nobody2', password: PASSWORD }).catch(() => undefined);
    expect(hasher.hashCalls).to.equal(1);
    expect(hasher.verifyCalls).to.have.length(2);
  });

  it('logs in with a password registered in the other Unicode form', async () => {
    const { authenticate, createUser } = setup();
    await createUser.execute({ username: 'zoe', password: 'cafe\u0301 au lait' }, 'anonymous'); // decomposed
    const view = await authenticate.execute({ username: 'zoe', password: 'caf\u00e9 au lait' }); // composed
    expect(view.username).to.equal('zoe');

    const { authenticate: again, createUser: create2 } = setup();
    await create2.execute({ username: 'zoe', password: 'caf\u00e9 au lait' }, 'anonymous');
    expect((await again.execute({ username: 'zoe', password: 'cafe\u0301 au lait' })).username).to.equal('zoe');
  });

  it('refuses "secretpass\\0x" for "secretpass", though bcrypt would stop at the NUL', async () => {
    const { uow, hasher, authenticate } = await withAda({ likeBcrypt: true, password: 'secretpass' });
    // The bcrypt-like fake proves the point: it would accept this if asked with the account's hash.
    expect(await hasher.verify('secretpass\0x', 'hashed:secretpass')).to.equal(true);
    hasher.verifyCalls = [];

    const err = await authenticate.execute({ username: 'ada', password: 'secretpass\0x' }).catch((e) => e);
    expect(err).to.be.instanceOf(InvalidCredentials);
    expect(hasher.verifyCalls).to.have.length(1);
    expect(uow.events).to.be.empty;
  });

  it('refuses a password longer than 72 bytes though bcrypt would match its first 72', async () => {
    const stored = 'é'.repeat(36);
    const { hasher, authenticate } = await withAda({ likeBcrypt: true, password: stored });
    expect(await hasher.verify(stored + 'extra', `hashed:${stored}`)).to.equal(true);
    hasher.verifyCalls = [];

    const err = await authenticate.execute({ username: 'ada', password: stored + 'extra' }).catch((e) => e);
    expect(err).to.be.instanceOf(InvalidCredentials);
    expect(hasher.verifyCalls).to.have.length(1);
    expect((await authenticate.execute({ username: 'ada', password: stored })).id).to.equal('ada-id');
  });

  it('refuses a user deleted while the password was being checked, recording nothing', async () => {
    const { uow, hasher, authenticate } = await withAda();
    const verify = hasher.verify.bind(hasher);
    hasher.verify = async (plain, hash) => {
      await uow.users.remove('ada-id'); // an admin deletes the account while bcrypt runs
      return verify(plain, hash);
    };
    const err = await authenticate.execute({ username: 'ada', password: PASSWORD }).catch((e) => e);
    expect(err).to.be.instanceOf(InvalidCredentials);
    expect(uow.events).to.be.empty;
  });
});
