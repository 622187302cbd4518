import { expect } from 'chai';
import { AesGcmSecretBox } from '../../../../src/adapters/mfa/aes-gcm-secret-box.js';
import { HmacRecoveryCodes } from '../../../../src/adapters/mfa/hmac-recovery-codes.js';
import { OtpauthTotp } from '../../../../src/adapters/mfa/otpauth-totp.js';
import { Authenticate } from '../../../../src/application/authenticate.js';
import { ConfirmTotp } from '../../../../src/application/mfa/confirm-totp.js';
import { DisableTotp } from '../../../../src/application/mfa/disable-totp.js';
import { EnrolTotp } from '../../../../src/application/mfa/enrol-totp.js';
import type { Passkeys } from '../../../../src/application/mfa/ports.js';
import { SecondFactors } from '../../../../src/application/mfa/second-factors.js';
import { VerifyPasskey } from '../../../../src/application/mfa/verify-passkey.js';
import { VerifySecondFactor } from '../../../../src/application/mfa/verify-second-factor.js';
import { InvalidCode, MfaConflict, TooManyAttempts } from '../../../../src/domain/errors.js';
import { aUser } from '../../../builders.js';
import { fakeHasher, FakeLoginThrottle, FixedClock, InMemoryUnitOfWork, SequentialIds } from '../../../fakes.js';
import { FakeCodeThrottle, InMemoryMfa, RecordedNotices } from '../../../mfa-fakes.js';
import { codeForStep } from '../../../support/totp.js';

const KEY = 'a key secret of at least thirty-two bytes';
const PASSWORD = 'correct horse battery';

function setup(codeLimit = Infinity) {
  const accounts = new InMemoryUnitOfWork();
  const mfa = new InMemoryMfa(accounts);
  const clock = new FixedClock(new Date('2026-03-04T05:06:07Z'));
  const ids = new SequentialIds();
  const totp = new OtpauthTotp('auth.example.com');
  const box = new AesGcmSecretBox(KEY);
  const codes = new HmacRecoveryCodes(KEY);
  const codeThrottle = new FakeCodeThrottle(codeLimit);
  const loginThrottle = new FakeLoginThrottle();
  const notices = new RecordedNotices();
  const qr = { svg: async (text: string) => `<svg>${text}</svg>` };
  const unusedPasskeys = {} as Passkeys;
  const verify = new VerifySecondFactor(accounts.users, mfa.stores, totp, box, codes, codeThrottle, loginThrottle,
    new VerifyPasskey(mfa.stores, unusedPasskeys, notices, clock), notices, clock);
  return {
    accounts, mfa, clock, codeThrottle, loginThrottle, notices, verify,
    enrol: new EnrolTotp(accounts.users, mfa.stores, totp, box, qr, clock),
    confirm: new ConfirmTotp(mfa.stores, mfa, totp, box, codes, codeThrottle, ids, clock),
    disable: new DisableTotp(mfa, ids, clock),
    authenticate: new Authenticate(accounts.users, accounts, fakeHasher(), loginThrottle, ids, clock, undefined, new SecondFactors(mfa.stores)),
    step: () => Math.floor(clock.now().getTime() / 30_000),
  };
}

async function withTotp(codeLimit?: number) {
  const s = setup(codeLimit);
  await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada', password: PASSWORD }));
  const { secret } = await s.enrol.execute({ userId: 'ada-id' });
  const { recoveryCodes } = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) });
  s.clock.advance(30_000);
  return { ...s, secret, recoveryCodes };
}

describe('Second-factor use cases', () => {
  it('ConfirmTotp: a wrong code is an InvalidCode of the confirmation; a right one emits user.mfa_enabled once', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    const { secret } = await s.enrol.execute({ userId: 'ada-id' });
    const wrong = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step() + 5) }).catch((e) => e);
    expect(wrong).to.be.instanceOf(InvalidCode).and.include({ variant: 'confirmation' });
    const { recoveryCodes } = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) });
    expect(recoveryCodes).to.have.length(10);
    expect(s.accounts.events.map((e) => e.type)).to.deep.equal(['user.mfa_enabled']);
    expect(await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) }).catch((e) => e)).to.be.instanceOf(MfaConflict);
  });

  it('Authenticate: with a second factor, the password alone is not recorded as a login', async () => {
    const s = await withTotp();
    const eventsBefore = s.accounts.events.length;
    const outcome = await s.authenticate.execute({ username: 'ada', password: PASSWORD });
    expect(outcome.secondFactors).to.deep.equal(['totp', 'recovery-code']);
    expect(s.accounts.events.length).to.equal(eventsBefore);
    expect((await s.accounts.users.findById('ada-id'))!.toSnapshot().lastLoginAt).to.equal(null);
  });

  it('VerifySecondFactor: counts the code and login throttles before checking, and a code works once', async () => {
    const s = await withTotp();
    const code = codeForStep(s.secret, s.step());
    await s.verify.execute({ userId: 'ada-id', proof: { code } }, { client: '10.0.0.1' });
    expect(s.loginThrottle.callsTo('begin')).to.deep.equal([{ account: 'ada', client: '10.0.0.1' }]);
    expect(await s.verify.execute({ userId: 'ada-id', proof: { code } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    expect(s.codeThrottle.counts.get('ada-id')).to.equal(1); // the wrong one still counts
    expect(s.loginThrottle.attemptsOn('ada')).to.equal(1);
  });

  it('VerifySecondFactor: refuses at the code limit before looking at the code', async () => {
    const s = await withTotp(2);
    const wrong = codeForStep(s.secret, s.step() + 9);
    for (let i = 0; i < 2; i += 1) expect(await s.verify.execute({ userId: 'ada-id', proof: { code: wrong } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    const right = codeForStep(s.secret, s.step());
    expect(await s.verify.execute({ userId: 'ada-id', proof: { code: right } }).catch((e) => e)).to.be.instanceOf(TooManyAttempts);
  });

  it('VerifySecondFactor: a recovery code works once and is noticed; none works once the second factor is off', async () => {
    const s = await withTotp();
    const [first, second] = s.recoveryCodes as [string, string];
    await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: first } });
    expect(s.notices.notices).to.deep.equal(['recovery-code-used ada-id 9']);
    expect(await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: first } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    await s.disable.execute({ userId: 'ada-id' });
    expect(s.accounts.events.map((e) => e.type)).to.deep.equal(['user.mfa_enabled', 'user.mfa_disabled']);
    expect(await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: second } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
  });
});
