import { expect } from 'chai';
import { type Authenticate } from '../../../src/application/sessions/authenticate.js';
import { Busy, InvalidCredentials, TooManyAttempts } from '../../../src/domain/errors.js';
import { A_PASSWORD, aUser } from '../../builders.js';
import { FakeLoginThrottle, type ThrottleLimits } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const CLIENT = '203.0.113.7';

async function setup(limits: ThrottleLimits = {}) {
  const { uow, hasher, throttle, authenticate } = useCases({ throttle: new FakeLoginThrottle(limits) });
  await uow.users.add(aUser({ id: 'ada-id', username: 'ada' }));
  return { uow, hasher, throttle, authenticate };
}

const logIn = (authenticate: Authenticate, username: string, password: string, client: string | undefined = CLIENT) =>
  authenticate.execute({ username, password }, { client }).catch((e: unknown) => e);

describe('Authenticate with a login throttle', () => {
  it('gives the attempt back when the service is too busy to check the password', async () => {
    const { hasher, throttle, authenticate } = await setup();
    hasher.verify = async () => {
      throw new Busy();
    };
    const err = await logIn(authenticate, 'ada', A_PASSWORD);
    expect(err).to.be.instanceOf(Busy);
    expect(throttle.callsTo('cancel')).to.deep.equal([{ account: 'ada', client: CLIENT }]);
    expect(throttle.attemptsOn('ada')).to.equal(0);
    expect(throttle.attemptsFrom(CLIENT)).to.equal(0);
  });

  it('counts the attempt before checking the password', async () => {
    const { hasher, throttle, authenticate } = await setup();
    const order: string[] = [];
    const begin = throttle.begin.bind(throttle);
    throttle.begin = async (attempt) => {
      order.push('begin');
      return begin(attempt);
    };
    const verify = hasher.verify.bind(hasher);
    hasher.verify = async (plain, hash) => {
      order.push('verify');
      return verify(plain, hash);
    };
    await authenticate.execute({ username: 'ada', password: A_PASSWORD }, { client: CLIENT });
    expect(order).to.deep.equal(['begin', 'verify']);
  });

  it('answers a refusing throttle with TooManyAttempts, without checking the password at all', async () => {
    const { uow, hasher, throttle, authenticate } = await setup({ account: 0, retryAfterSeconds: 42 });
    const err = await logIn(authenticate, 'ada', A_PASSWORD); // even the right password
    expect(err).to.be.instanceOf(TooManyAttempts);
    expect((err as TooManyAttempts).retryAfterSeconds).to.equal(42);
    expect(hasher.verifyCalls).to.be.empty;
    expect(hasher.hashCalls).to.equal(0);
    expect(throttle.callsTo('succeeded')).to.be.empty;
    expect(uow.users.snapshotOf('ada-id')?.lastLoginAt).to.equal(null);
    expect(uow.events).to.be.empty;
  });

  it('tells the throttle of a success, with the same account and client, only when the password is right', async () => {
    const { throttle, authenticate } = await setup();
    expect(await logIn(authenticate, 'ada', 'wrong password')).to.be.instanceOf(InvalidCredentials);
    expect(throttle.calls).to.deep.equal([
      { method: 'begin', attempt: { account: 'ada', client: CLIENT } },
      { method: 'failed', attempt: { account: 'ada', client: CLIENT } },
    ]);

    await authenticate.execute({ username: ' ADA ', password: A_PASSWORD }, { client: CLIENT });
    expect(throttle.calls.slice(2)).to.deep.equal([
      { method: 'begin', attempt: { account: 'ada', client: CLIENT } },
      { method: 'succeeded', attempt: { account: 'ada', client: CLIENT } },
    ]);
  });

  it('counts an unknown or malformed username too, so guessing names costs attempts', async () => {
    const { hasher, throttle, authenticate } = await setup({ client: 3 });
    for (const username of ['nobody', ' NoBody2 ', 'not a name!']) {
      expect(await logIn(authenticate, username, A_PASSWORD), username).to.be.instanceOf(InvalidCredentials);
    }
    expect(throttle.callsTo('begin')).to.deep.equal([
      { account: 'nobody', client: CLIENT },
      { account: 'nobody2', client: CLIENT },
      { account: 'not a name!', client: CLIENT },
    ]);
    expect(throttle.callsTo('succeeded')).to.be.empty;
    const verified = hasher.verifyCalls.length;
    expect(await logIn(authenticate, 'ada', A_PASSWORD)).to.be.instanceOf(TooManyAttempts); // the client is spent
    expect(hasher.verifyCalls).to.have.length(verified);
  });

  it('refuses the account after its limit of failures, whatever the case of the name', async () => {
    const { throttle, authenticate } = await setup({ account: 3 });
    const names = ['ada', 'ADA', 'Ada'];
    for (const [i, username] of names.entries()) {
      const fromAnotherAddress = `198.51.100.${i}`;
      expect(await logIn(authenticate, username, 'wrong password', fromAnotherAddress)).to.be.instanceOf(InvalidCredentials);
    }
    expect(throttle.attemptsOn('ada')).to.equal(3);
    expect(await logIn(authenticate, 'ada', A_PASSWORD, '192.0.2.99')).to.be.instanceOf(TooManyAttempts);
  });

  it('starts the account’s count again after a successful login', async () => {
    const { throttle, authenticate } = await setup({ account: 3 });
    for (let i = 0; i < 2; i += 1) await logIn(authenticate, 'ada', 'wrong password');
    await authenticate.execute({ username: 'ada', password: A_PASSWORD }, { client: CLIENT });
    expect(throttle.attemptsOn('ada')).to.equal(0);
    for (let i = 0; i < 3; i += 1) {
      expect(await logIn(authenticate, 'ada', 'wrong password')).to.be.instanceOf(InvalidCredentials);
    }
    expect(await logIn(authenticate, 'ada', 'wrong password')).to.be.instanceOf(TooManyAttempts);
  });

  it('counts the account alone when the client is not known', async () => {
    const { throttle, authenticate } = await setup();
    await authenticate.execute({ username: 'ada', password: A_PASSWORD });
    expect(throttle.calls).to.deep.equal([
      { method: 'begin', attempt: { account: 'ada' } },
      { method: 'succeeded', attempt: { account: 'ada' } },
    ]);
  });
});
