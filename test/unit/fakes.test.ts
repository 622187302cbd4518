// The use-case tests lean on these doubles' contracts (uniqueness, paging, rollback): pin them down.
import { expect } from 'chai';
import { MemoryThrottleRows } from '../../src/adapters/throttling/throttle-rows.js';
import { WindowedLoginThrottle } from '../../src/adapters/throttling/windowed-login-throttle.js';
import type { LoginAttempt, LoginThrottle } from '../../src/application/ports.js';
import { TooManyAttempts, UsernameTaken } from '../../src/domain/errors.js';
import { userCreated } from '../../src/domain/events.js';
import { anAdmin, aUser } from '../builders.js';
import { fakeHasher, FakeCommonPasswords, FakeLoginThrottle, InMemoryUnitOfWork, InMemoryUserRepository, SequentialIds } from '../fakes.js';

describe('test doubles', () => {
  it('InMemoryUserRepository refuses a username differing only in case', async () => {
    const users = new InMemoryUserRepository();
    await users.add(aUser({ username: 'ada' }));
    const err = await users.add(aUser({ username: 'ADA' })).catch((e) => e);
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

  it('InMemoryUserRepository searches by the start of the username or address, within the cursor', async () => {
    const users = new InMemoryUserRepository();
    await users.add(aUser({ id: 'a', username: 'ada' }));
    await users.add(aUser({ id: 'b', username: 'bob', email: 'ada@example.com' }));
    await users.add(aUser({ id: 'c', username: 'madam' }));
    await users.add(aUser({ id: 'd', username: 'adam' }));
    const first = await users.list({ limit: 2, prefix: 'ada' });
    expect(first.users.map((u) => u.id)).to.deep.equal(['a', 'b']);
    const second = await users.list({ limit: 2, prefix: 'ada', after: first.nextCursor! });
    expect(second.users.map((u) => u.id)).to.deep.equal(['d']);
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

  it('FakePasswordHasher verifies older hashes and says they need a rehash once its scheme is raised', async () => {
    const hasher = fakeHasher();
    const old = await hasher.hash('some password');
    expect(hasher.needsRehash(old)).to.equal(false);
    hasher.scheme = 'hashed-v2';
    const upgraded = await hasher.hash('some password');
    expect([old, upgraded]).to.deep.equal(['hashed:some password', 'hashed-v2:some password']);
    expect([hasher.needsRehash(old), hasher.needsRehash(upgraded)]).to.deep.equal([true, false]);
    expect(await hasher.verify('some password', old)).to.equal(true);
    expect(await hasher.verify('some password', upgraded)).to.equal(true);
    expect(await hasher.verify('other password', upgraded)).to.equal(false);
    expect(await hasher.verify('some password', 'some password')).to.equal(false);
    expect(hasher.hashCalls).to.equal(2);
  });

  it('FakeCommonPasswords ignores case', () => {
    const common = new FakeCommonPasswords();
    expect(['qwerty123', 'QWERTY123', 'Password1'].map((p) => common.includes(p))).to.deep.equal([true, true, true]);
    expect(common.includes('correct horse battery')).to.equal(false);
  });

  describe('FakeLoginThrottle keeps the contract of WindowedLoginThrottle', () => {
    const doubles: [string, () => LoginThrottle][] = [
      ['FakeLoginThrottle', () => new FakeLoginThrottle({ account: 3, client: 4 })],
      [
        'WindowedLoginThrottle',
        () =>
          new WindowedLoginThrottle(
            { account: [{ points: 3, seconds: 60 }], client: [{ points: 4, seconds: 60 }] },
            new MemoryThrottleRows(),
          ),
      ],
    ];
    const outcome = (throttle: LoginThrottle, attempt: LoginAttempt) =>
      throttle.begin(attempt).then(
        () => 'ok',
        (e: unknown) => (e instanceof TooManyAttempts ? 'refused' : e),
      );

    for (const [name, make] of doubles) {
      it(`${name}: counts per account and per client, clears the account and gives the client one back on success`, async () => {
        const throttle = make();
        const c = '203.0.113.7';
        const seen: unknown[] = [];
        for (const account of ['ada', 'ada', 'ada', 'ada']) seen.push(await outcome(throttle, { account }));
        await throttle.succeeded({ account: 'ada' });
        seen.push(await outcome(throttle, { account: 'ada' }));
        for (const account of ['a1', 'a2', 'a3']) seen.push(await outcome(throttle, { account, client: c }));
        await throttle.succeeded({ account: 'a3', client: c });
        for (const account of ['a4', 'a5', 'a6']) seen.push(await outcome(throttle, { account, client: c }));
        expect(seen).to.deep.equal(['ok', 'ok', 'ok', 'refused', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'refused']);
      });
    }
  });
});
