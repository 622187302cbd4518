import { expect } from 'chai';
import { Reauthenticate } from '../../../../src/application/mfa/reauthenticate.js';
import type { VerifySecondFactor } from '../../../../src/application/mfa/verify-second-factor.js';
import { IncorrectCurrentPassword, TooManyAttempts } from '../../../../src/domain/errors.js';
import { A_PASSWORD, aUser } from '../../../builders.js';
import { fakeHasher, FakeLoginThrottle, InMemoryUnitOfWork } from '../../../fakes.js';

function setup(limits: { account?: number; client?: number }) {
  const accounts = new InMemoryUnitOfWork();
  const throttle = new FakeLoginThrottle(limits);
  const noSecondFactor = {} as VerifySecondFactor; // only passwords here
  return { accounts, throttle, reauthenticate: new Reauthenticate(accounts.users, fakeHasher(), throttle, noSecondFactor) };
}

describe('Reauthenticate with a password', () => {
  const context = { client: '10.0.0.1' };

  it("takes one place in the login throttle and gives the client's back when right: with one place left, any number pass", async () => {
    const s = setup({ client: 3 });
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    for (let i = 0; i < 2; i += 1) await s.throttle.begin({ account: 'someone-else', client: '10.0.0.1' }); // two failures of the client
    s.throttle.calls.length = 0;
    for (let i = 0; i < 5; i += 1) await s.reauthenticate.execute({ userId: 'ada-id', proof: { password: A_PASSWORD } }, context);
    expect(s.throttle.callsTo('begin')).to.have.length(5);
    expect(s.throttle.callsTo('succeeded')).to.have.length(5);
    expect(s.throttle.attemptsFrom('10.0.0.1')).to.equal(2);
    expect(s.throttle.attemptsOn('ada')).to.equal(0);
  });

  it('keeps a wrong or impossible password counted, once each, until the limit refuses', async () => {
    const s = setup({ account: 2 });
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    for (const password of ['not the password', 'x\u0000y']) {
      const wrong = await s.reauthenticate.execute({ userId: 'ada-id', proof: { password } }, context).catch((e) => e);
      expect(wrong).to.be.instanceOf(IncorrectCurrentPassword).and.include({ field: 'password' });
    }
    expect(s.throttle.attemptsOn('ada')).to.equal(2);
    expect(s.throttle.callsTo('failed')).to.have.length(2);
    const refused = await s.reauthenticate.execute({ userId: 'ada-id', proof: { password: A_PASSWORD } }, context).catch((e) => e);
    expect(refused).to.be.instanceOf(TooManyAttempts);
  });
});
