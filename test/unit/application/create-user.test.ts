import { expect } from 'chai';
import { Busy, Forbidden, TooManyAttempts, UsernameTaken, ValidationFailed } from '../../../src/domain/errors.js';
import type { Username } from '../../../src/domain/username.js';
import { anAdmin, aUser, callerOf } from '../../builders.js';
import { FakeRegistrationThrottle, T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const setup = () => useCases();

const PASSWORD = 'tr0ub4dor&3-xyzzy';

describe('CreateUser', () => {
  it('stores a user with the hash of its normalised password and returns a view without it', async () => {
    const { uow, createUser } = setup();
    const view = await createUser.execute({ username: '  Ada ', password: 'cafe\u0301 au lait' }, 'anonymous');

    expect(view).to.deep.equal({
      id: view.id,
      username: 'ada',
      role: 'user',
      status: 'active',
      statusReason: null,
      email: null,
      emailVerified: false,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(uow.users.snapshotOf(view.id)).to.deep.include({
      username: 'ada',
      role: 'user',
      passwordHash: 'hashed:caf\u00e9 au lait',
      lastLoginAt: null,
    });
  });

  it('emits exactly one user.created about the new user, with no password or hash in it', async () => {
    const { uow, createUser } = setup();
    const admin = anAdmin({ id: 'admin-1' });
    const view = await createUser.execute({ username: 'bob', password: PASSWORD, role: 'admin' }, callerOf(admin));

    expect(uow.events).to.have.length(1);
    const [event] = uow.events;
    expect(event).to.deep.include({ type: 'user.created', aggregateType: 'user', aggregateId: view.id, occurredAt: T0 });
    expect(event!.payload).to.deep.equal({ userId: view.id, username: 'bob', role: 'admin', createdBy: 'admin-1', email: null });
    expect(event!.id).not.to.equal(view.id);
    const serialized = JSON.stringify(uow.events);
    expect(serialized).not.to.include(PASSWORD);
    expect(serialized).not.to.include(uow.users.snapshotOf(view.id)!.passwordHash);
  });

  it('records no creator for a self-registration or the system', async () => {
    const { uow, createUser } = setup();
    await createUser.execute({ username: 'self', password: PASSWORD }, 'anonymous');
    await createUser.execute({ username: 'root', password: PASSWORD, role: 'admin' }, 'system');
    expect(uow.events.map((e) => e.type === 'user.created' && e.payload.createdBy)).to.deep.equal([null, null]);
  });

  it('lets anyone create a plain user', async () => {
    const { uow, createUser } = setup();
    await createUser.execute({ username: 'u-anon', password: PASSWORD }, 'anonymous');
    await createUser.execute({ username: 'u-user', password: PASSWORD }, callerOf(aUser()));
    await createUser.execute({ username: 'u-admin', password: PASSWORD, role: 'user' }, callerOf(anAdmin()));
    expect(uow.users.size).to.equal(3);
  });

  it('lets an admin or the system create an admin', async () => {
    const { uow, createUser } = setup();
    const byAdmin = await createUser.execute({ username: 'admin1', password: PASSWORD, role: 'admin' }, callerOf(anAdmin()));
    const bySystem = await createUser.execute({ username: 'admin2', password: PASSWORD, role: 'admin' }, 'system');
    expect(uow.users.snapshotOf(byAdmin.id)?.role).to.equal('admin');
    expect(uow.users.snapshotOf(bySystem.id)?.role).to.equal('admin');
  });

  it('forbids anonymous callers and plain users to create an admin, naming role, and stores nothing', async () => {
    const { uow, hasher, createUser } = setup();
    for (const creator of ['anonymous', callerOf(aUser())] as const) {
      const err = await createUser.execute({ username: 'mallory', password: PASSWORD, role: 'admin' }, creator).catch((e) => e);
      expect(err).to.be.instanceOf(Forbidden);
      expect(err.field).to.equal('role');
    }
    expect(uow.users.size).to.equal(0);
    expect(uow.events).to.be.empty;
    expect(hasher.hashCalls).to.equal(0);
  });

  it('refuses an unknown role', async () => {
    const { createUser } = setup();
    const err = await createUser.execute({ username: 'eve', password: PASSWORD, role: 'root' }, 'system').catch((e) => e);
    expect(err).to.be.instanceOf(ValidationFailed);
    expect(err.field).to.equal('role');
  });

  it('refuses a malformed username or password before hashing', async () => {
    const { uow, hasher, createUser } = setup();
    const cases = [
      { input: { username: 'a b', password: PASSWORD }, field: 'username' },
      { input: { username: 'ab', password: PASSWORD }, field: 'username' },
      { input: { username: 'carol', password: 'short' }, field: 'password' },
      { input: { username: 'carol', password: 'x'.repeat(73) }, field: 'password' },
      { input: { username: 'carol', password: 'long enough\0' }, field: 'password' },
    ];
    for (const { input, field } of cases) {
      const err = await createUser.execute(input, 'anonymous').catch((e) => e);
      expect(err, JSON.stringify(input)).to.be.instanceOf(ValidationFailed);
      expect(err.field).to.equal(field);
    }
    expect(hasher.hashCalls).to.equal(0);
    expect(uow.users.size).to.equal(0);
  });

  it('accepts a 72-byte multi-byte password as it is, untruncated', async () => {
    const { uow, createUser } = setup();
    const password = '€'.repeat(24);
    const view = await createUser.execute({ username: 'euro', password }, 'anonymous');
    expect(uow.users.snapshotOf(view.id)?.passwordHash).to.equal(`hashed:${password}`);
  });

  it('refuses a second account for the same username, whatever its case, and leaves no event', async () => {
    const { uow, createUser } = setup();
    await createUser.execute({ username: 'ada', password: PASSWORD }, 'anonymous');
    const err = await createUser.execute({ username: 'ADA', password: 'another long one!' }, 'anonymous').catch((e) => e);

    expect(err).to.be.instanceOf(UsernameTaken);
    expect(uow.users.size).to.equal(1);
    expect(uow.events.map((e) => e.type)).to.deep.equal(['user.created']);
    expect((await uow.users.findByUsername('ada' as Username))?.passwordHash).to.equal(`hashed:${PASSWORD}`);
  });

  it('stores no user when its event cannot be written', async () => {
    const { uow, createUser } = setup();
    uow.failNextOutboxAdd();
    const err = await createUser.execute({ username: 'ghost', password: PASSWORD }, 'anonymous').catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect(uow.users.size).to.equal(0);
    expect(uow.events).to.be.empty;
  });
});

describe('CreateUser: registrations are throttled and a taken name costs no bcrypt', () => {
  function throttledSetup(limit = Infinity) {
    const {
      uow,
      hasher,
      registrationThrottle: throttle,
      createUser,
    } = useCases({ registrationThrottle: new FakeRegistrationThrottle(limit) });
    return { uow, hasher, throttle, createUser };
  }

  it('answers a taken name with UsernameTaken before hashing anything', async () => {
    const { hasher, createUser } = throttledSetup();
    await createUser.execute({ username: 'ada', password: PASSWORD }, 'anonymous', { client: '203.0.113.7' });
    const before = hasher.hashCalls;
    const err = await createUser.execute({ username: ' ADA ', password: PASSWORD }, 'anonymous', { client: '203.0.113.7' }).catch((e) => e);
    expect(err).to.be.instanceOf(UsernameTaken);
    expect(hasher.hashCalls).to.equal(before);
  });

  it('counts anonymous registrations per client, taken names included, and refuses past the limit before any work', async () => {
    const { hasher, throttle, createUser } = throttledSetup(2);
    await createUser.execute({ username: 'ada', password: PASSWORD }, 'anonymous', { client: 'c1' });
    await createUser.execute({ username: 'ada', password: PASSWORD }, 'anonymous', { client: 'c1' }).catch(() => undefined);
    const hashes = hasher.hashCalls;
    const err = await createUser.execute({ username: 'bob', password: PASSWORD }, 'anonymous', { client: 'c1' }).catch((e) => e);
    expect(err).to.be.instanceOf(TooManyAttempts);
    expect(hasher.hashCalls).to.equal(hashes);
    await createUser.execute({ username: 'bob', password: PASSWORD }, 'anonymous', { client: 'c2' });
    expect(throttle.calls.map((c) => c.client)).to.deep.equal(['c1', 'c1', 'c1', 'c2']);
  });

  it('does not count an admin creating accounts, nor the service itself', async () => {
    const { throttle, createUser } = throttledSetup(0);
    const admin = callerOf(anAdmin());
    await createUser.execute({ username: 'ada', password: PASSWORD }, admin, { client: 'c1' });
    await createUser.execute({ username: 'root', password: PASSWORD, role: 'admin' }, 'system');
    expect(throttle.calls).to.be.empty;
    const user = callerOf(aUser());
    expect(await createUser.execute({ username: 'bob', password: PASSWORD }, user, { client: 'c1' }).catch((e) => e)).to.be.instanceOf(
      TooManyAttempts,
    );
  });

  it('gives the attempt back when bcrypt is busy', async () => {
    const { hasher, throttle, createUser } = throttledSetup(1);
    hasher.hash = async () => {
      throw new Busy();
    };
    expect(
      await createUser.execute({ username: 'ada', password: PASSWORD }, 'anonymous', { client: 'c1' }).catch((e) => e),
    ).to.be.instanceOf(Busy);
    expect(throttle.calls.map((c) => c.method)).to.deep.equal(['begin', 'cancel']);
  });
});
