import { expect } from 'chai';
import { IncorrectCurrentPassword, TooManyAttempts } from '../../../src/domain/errors.js';
import { A_PASSWORD, anAdmin, aUser, callerOf } from '../../builders.js';
import { FakeLoginThrottle, type InMemoryUnitOfWork, type ThrottleLimits } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const NEW_PASSWORD = 'a brand new secret';
const CLIENT = '203.0.113.7';

async function setup(limits: ThrottleLimits = {}) {
  const s = useCases({ throttle: new FakeLoginThrottle(limits) });
  const { uow } = s;
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  for (const u of [ada, admin]) await uow.users.add(u);
  return { ...s, ada, admin };
}

const hashOf = (uow: InMemoryUnitOfWork, id: string) => uow.users.snapshotOf(id)?.passwordHash;

describe('ChangePassword with a login throttle', () => {
  it('counts a wrong current password as a failed login on the target’s username, from the caller’s client', async () => {
    const { throttle, changePassword, ada } = await setup();
    const err = await changePassword
      .execute({ userId: 'ada-id', currentPassword: 'a guess', newPassword: NEW_PASSWORD }, callerOf(ada), { client: CLIENT })
      .catch((e) => e);
    expect(err).to.be.instanceOf(IncorrectCurrentPassword);
    expect(throttle.calls).to.deep.equal([
      { method: 'begin', attempt: { account: 'ada', client: CLIENT } },
      { method: 'failed', attempt: { account: 'ada', client: CLIENT } },
    ]);
  });

  it('tells the throttle of the success when the current password is right', async () => {
    const { throttle, changePassword, ada } = await setup();
    await changePassword.execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), {
      sessionId: 'ada-laptop',
      client: CLIENT,
    });
    expect(throttle.calls.map((c) => [c.method, c.attempt])).to.deep.equal([
      ['begin', { account: 'ada', client: CLIENT }],
      ['succeeded', { account: 'ada', client: CLIENT }],
    ]);
  });

  it('answers a refusing throttle with TooManyAttempts without checking the password, and changes nothing', async () => {
    const { uow, hasher, changePassword, ada } = await setup({ account: 0 });
    const err = await changePassword
      .execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), { client: CLIENT })
      .catch((e) => e);
    expect(err).to.be.instanceOf(TooManyAttempts);
    expect(hasher.verifyCalls).to.be.empty;
    expect(hasher.hashCalls).to.equal(0);
    expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
    expect(uow.events).to.be.empty;
  });

  it('shares the account’s count with logins, so a stolen session cannot guess more', async () => {
    const { throttle, changePassword, authenticate, ada } = await setup({ account: 3 });
    for (let i = 0; i < 3; i += 1) {
      await changePassword
        .execute({ userId: 'ada-id', currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD }, callerOf(ada))
        .catch(() => undefined);
    }
    expect(throttle.attemptsOn('ada')).to.equal(3);
    const err = await authenticate.execute({ username: 'ada', password: A_PASSWORD }).catch((e) => e);
    expect(err).to.be.instanceOf(TooManyAttempts);
  });

  it('leaves the throttle alone when an admin resets someone else’s password', async () => {
    const { uow, throttle, changePassword, admin } = await setup({ account: 0, client: 0 }); // would refuse anything
    await changePassword.execute({ userId: 'ada-id', newPassword: NEW_PASSWORD }, callerOf(admin), { client: CLIENT });
    expect(throttle.calls).to.be.empty;
    expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${NEW_PASSWORD}`);
  });

  it('throttles an admin changing its own password like anyone else', async () => {
    const { throttle, changePassword, admin } = await setup();
    await changePassword.execute({ userId: 'admin-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(admin), {
      client: CLIENT,
    });
    expect(throttle.callsTo('begin')).to.deep.equal([{ account: 'root', client: CLIENT }]);
  });
});
