import { expect } from 'chai';
import { AesGcmSecretBox } from '../../../../src/adapters/mfa/aes-gcm-secret-box.js';
import { HmacRecoveryCodes } from '../../../../src/adapters/mfa/hmac-recovery-codes.js';
import { OtpauthTotp } from '../../../../src/adapters/mfa/otpauth-totp.js';
import { Authenticate } from '../../../../src/application/sessions/authenticate.js';
import { ConfirmTotp } from '../../../../src/application/mfa/confirm-totp.js';
import { DisableTotp } from '../../../../src/application/mfa/disable-totp.js';
import { EnrolTotp } from '../../../../src/application/mfa/enrol-totp.js';
import type { AuditEntry } from '../../../../src/application/audit/ports.js';
import { SignInAudit } from '../../../../src/application/audit/sign-in-audit.js';
import { CompleteLogin } from '../../../../src/application/mfa/complete-login.js';
import { PasskeyLogin } from '../../../../src/application/mfa/passkey-login.js';
import { SecondFactors } from '../../../../src/application/mfa/second-factors.js';
import { VerifyPasskey } from '../../../../src/application/mfa/verify-passkey.js';
import { VerifySecondFactor } from '../../../../src/application/mfa/verify-second-factor.js';
import { AccountDisabled, InvalidCode, MfaConflict, TooManyAttempts } from '../../../../src/domain/errors.js';
import { aUser } from '../../../builders.js';
import { fakeHasher, FakeLoginThrottle, FixedClock, InMemoryUnitOfWork, SequentialIds } from '../../../fakes.js';
import { aPasskey } from '../../../mfa-fakes.js';
import { FakeCodeThrottle, FakePasskeys, InMemoryMfa } from '../../../mfa-fakes.js';
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
  const qr = { svg: async (text: string) => `<svg>${text}</svg>` };
  const passkeys = new FakePasskeys();
  const verifyPasskey = new VerifyPasskey(mfa.stores, passkeys, mfa, ids, clock);
  const verify = new VerifySecondFactor(
    accounts.users,
    mfa.stores,
    mfa,
    totp,
    box,
    codes,
    codeThrottle,
    loginThrottle,
    verifyPasskey,
    ids,
    clock,
  );
  const trail: AuditEntry[] = [];
  const signInAudit = new SignInAudit({ record: async (e) => void trail.push(e) }, accounts.users, clock);
  return {
    accounts,
    mfa,
    clock,
    codeThrottle,
    loginThrottle,
    verify,
    passkeys,
    trail,
    completeLogin: new CompleteLogin(verify, accounts, accounts.users, ids, clock, signInAudit),
    passkeyLogin: new PasskeyLogin(accounts.users, mfa.stores, passkeys, verifyPasskey, accounts, loginThrottle, ids, clock, signInAudit),
    enrol: new EnrolTotp(accounts.users, mfa.stores, totp, box, qr, clock),
    confirm: new ConfirmTotp(mfa.stores, mfa, totp, box, codes, codeThrottle, ids, clock),
    disable: new DisableTotp(mfa, ids, clock),
    authenticate: new Authenticate(
      accounts.users,
      accounts,
      fakeHasher(),
      loginThrottle,
      ids,
      clock,
      undefined,
      new SecondFactors(mfa.stores),
    ),
    step: () => Math.floor(clock.now().getTime() / 30_000),
  };
}

async function withTotp(codeLimit?: number, email: { email?: string; emailVerified?: boolean } = {}) {
  const s = setup(codeLimit);
  await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada', password: PASSWORD, ...email }));
  const { secret } = await s.enrol.execute({ userId: 'ada-id' });
  const { recoveryCodes } = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) });
  expect(s.accounts.audit.map((e) => e.type)).to.deep.equal(['mfa.enrolled']);
  s.accounts.audit.length = 0; // each test then reads only the entries of what it does
  s.clock.advance(30_000);
  return { ...s, secret, recoveryCodes };
}

describe('Second-factor use cases', () => {
  it('ConfirmTotp and DisableTotp: switching one-time codes on and off is audited in the same transaction, with the request', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    const { secret } = await s.enrol.execute({ userId: 'ada-id' });
    const context = { client: '203.0.113.7', userAgent: 'Firefox/140', requestId: 'req-1' };
    await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) }, context);
    await s.disable.execute({ userId: 'ada-id' }, context);
    expect(s.accounts.audit.map((e) => [e.type, e.actor, e.subjectId, e.details, e.context])).to.deep.equal([
      ['mfa.enrolled', 'ada-id', 'ada-id', { method: 'totp' }, context],
      ['mfa.removed', 'ada-id', 'ada-id', { method: 'totp' }, context],
    ]);
  });

  it('ConfirmTotp: a wrong code is an InvalidCode of the confirmation; a right one emits user.mfa_enabled once', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    const { secret } = await s.enrol.execute({ userId: 'ada-id' });
    const wrong = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step() + 5) }).catch((e) => e);
    expect(wrong).to.be.instanceOf(InvalidCode).and.include({ variant: 'confirmation' });
    const { recoveryCodes } = await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) });
    expect(recoveryCodes).to.have.length(10);
    expect(s.accounts.events.map((e) => e.type)).to.deep.equal(['user.mfa_enabled']);
    expect(await s.confirm.execute({ userId: 'ada-id', code: codeForStep(secret, s.step()) }).catch((e) => e)).to.be.instanceOf(
      MfaConflict,
    );
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
    expect(s.loginThrottle.callsTo('failed')).to.deep.equal([{ account: 'ada' }]); // reported as a failure, kept counted
  });

  it('VerifySecondFactor: refuses at the code limit before looking at the code', async () => {
    const s = await withTotp(2);
    const wrong = codeForStep(s.secret, s.step() + 9);
    for (let i = 0; i < 2; i += 1)
      expect(await s.verify.execute({ userId: 'ada-id', proof: { code: wrong } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    const right = codeForStep(s.secret, s.step());
    expect(await s.verify.execute({ userId: 'ada-id', proof: { code: right } }).catch((e) => e)).to.be.instanceOf(TooManyAttempts);
  });

  it('VerifySecondFactor: a recovery code works once, is audited and told to a verified address; none works once the second factor is off', async () => {
    const s = await withTotp(undefined, { email: 'ada@example.com', emailVerified: true });
    const [first, second] = s.recoveryCodes as [string, string];
    await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: first } }, { client: '10.0.0.1', requestId: 'req-1' });
    expect(s.accounts.audit).to.deep.equal([
      {
        type: 'recovery_code.used',
        outcome: 'success',
        actor: 'ada-id',
        subjectId: 'ada-id',
        details: { remaining: 9 },
        context: { client: '10.0.0.1', requestId: 'req-1' },
      },
    ]);
    expect(s.accounts.mails.map((m) => [m.kind, m.to, m.params.remaining])).to.deep.equal([['recovery-code-used', 'ada@example.com', '9']]);
    expect(JSON.stringify([s.accounts.audit, s.accounts.mails])).not.to.include(first);
    expect(await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: first } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    await s.disable.execute({ userId: 'ada-id' });
    expect(s.accounts.events.map((e) => e.type)).to.deep.equal(['user.mfa_enabled', 'user.mfa_disabled']);
    expect(await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: second } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
  });

  it('VerifySecondFactor: a recovery code of an account without a verified address is audited, and no mail is queued', async () => {
    const s = await withTotp(undefined, { email: 'ada@example.com', emailVerified: false });
    await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: s.recoveryCodes[0]! } });
    expect(s.accounts.audit.map((e) => e.type)).to.deep.equal(['recovery_code.used']);
    expect(s.accounts.mails).to.deep.equal([]);
  });

  it('CompleteLogin: a wrong code, recovery code or passkey is a failed sign-in with reason second-factor-failed', async () => {
    const s = await withTotp();
    const context = { client: '10.0.0.1', userAgent: 'test' };
    const proofs = [
      { code: codeForStep(s.secret, s.step() + 9) },
      { recoveryCode: 'aaaaa-bbbbb' },
      { webauthn: { id: 'unknown-credential' } },
    ];
    for (const proof of proofs)
      expect(await s.completeLogin.execute({ userId: 'ada-id', proof }, context).catch((e) => e)).to.be.instanceOf(InvalidCode);
    expect(s.trail).to.deep.equal(
      ['totp', 'recovery-code', 'webauthn'].map((method) => ({
        type: 'login',
        outcome: 'failure',
        actor: 'anonymous',
        subjectId: 'ada-id',
        details: { reason: 'second-factor-failed', username: 'ada', method },
        context,
      })),
    );
    // The right code completes the login, recorded with its method.
    await s.completeLogin.execute({ userId: 'ada-id', proof: { code: codeForStep(s.secret, s.step()) } }, context);
    expect(s.accounts.audit.map((e) => [e.type, e.outcome, e.details?.method])).to.deep.equal([['login', 'success', 'totp']]);
    expect(s.trail).to.have.length(3);
  });

  describe('a disabled account', () => {
    const disable = async (s: { accounts: InMemoryUnitOfWork }) => {
      const user = (await s.accounts.users.findById('ada-id'))!;
      user.changeStatus('disabled', null, new Date());
      await s.accounts.users.update(user);
    };
    const refusal = (context: object) => ({
      type: 'login',
      outcome: 'failure',
      actor: 'anonymous',
      subjectId: 'ada-id',
      details: { reason: 'disabled', username: 'ada' },
      context,
    });

    it('CompleteLogin: refuses it as POST /login does (AccountDisabled, reason disabled), and spends no recovery code', async () => {
      const s = await withTotp();
      await disable(s);
      const context = { client: '10.0.0.1' };
      const eventsBefore = s.accounts.events.length;
      for (const proof of [{ code: codeForStep(s.secret, s.step()) }, { recoveryCode: s.recoveryCodes[0]! }]) {
        expect(await s.completeLogin.execute({ userId: 'ada-id', proof }, context).catch((e) => e)).to.be.instanceOf(AccountDisabled);
      }
      expect(s.trail).to.deep.equal([refusal(context), refusal(context)]);
      expect(s.accounts.events).to.have.length(eventsBefore);
      expect(s.accounts.audit).to.deep.equal([]);
      expect((await s.accounts.users.findById('ada-id'))!.toSnapshot().lastLoginAt).to.equal(null);
      expect(await s.verify.execute({ userId: 'ada-id', proof: { recoveryCode: s.recoveryCodes[0]! } })).to.equal(undefined); // still unused
    });

    it('CompleteLogin: refuses it when it is disabled while the second factor is checked', async () => {
      const s = await withTotp();
      const racing = {
        execute: async (...args: Parameters<VerifySecondFactor['execute']>) => {
          await s.verify.execute(...args);
          await disable(s);
        },
      };
      const signInAudit = new SignInAudit({ record: async (e) => void s.trail.push(e) }, s.accounts.users, s.clock);
      const completeLogin = new CompleteLogin(
        racing as VerifySecondFactor,
        s.accounts,
        s.accounts.users,
        new SequentialIds(),
        s.clock,
        signInAudit,
      );
      const eventsBefore = s.accounts.events.length;
      expect(
        await completeLogin.execute({ userId: 'ada-id', proof: { code: codeForStep(s.secret, s.step()) } }).catch((e) => e),
      ).to.be.instanceOf(AccountDisabled);
      expect(s.trail).to.deep.equal([refusal({})]);
      expect(s.accounts.events).to.have.length(eventsBefore);
      expect(s.accounts.audit).to.deep.equal([]);
    });

    it('PasskeyLogin: refuses it once the passkey verified (AccountDisabled, reason disabled); an unverified one stays invalid-code', async () => {
      const s = setup();
      await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada', status: 'disabled' }));
      await s.mfa.stores.passkeys.add(aPasskey({ id: 'pk-1', userId: 'ada-id', credentialId: 'cred-1', counter: 1 }));
      const context = { client: '10.0.0.1' };
      s.passkeys.outcome = { ok: false, counterWentBack: false };
      expect(await s.passkeyLogin.execute({ response: { id: 'cred-1' } }, context).catch((e) => e)).to.be.instanceOf(InvalidCode);
      s.passkeys.outcome = { ok: true, newCounter: 2, userVerified: true };
      expect(await s.passkeyLogin.execute({ response: { id: 'cred-1' } }, context).catch((e) => e)).to.be.instanceOf(AccountDisabled);
      expect(s.trail).to.deep.equal([refusal(context)]);
      expect(s.accounts.events).to.deep.equal([]);
      expect(s.accounts.audit).to.deep.equal([]);
      expect((await s.accounts.users.findById('ada-id'))!.toSnapshot().lastLoginAt).to.equal(null);
    });
  });

  it('VerifyPasskey: a counter that goes back is refused, audited with the credential id, and told to a verified address', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada', email: 'ada@example.com', emailVerified: true }));
    await s.mfa.stores.passkeys.add(aPasskey({ id: 'pk-1', userId: 'ada-id', credentialId: 'cred-1', counter: 7 }));
    s.passkeys.outcome = { ok: false, counterWentBack: true };
    const refused = await s.passkeyLogin.execute({ response: { id: 'cred-1' } }, { client: '10.0.0.1' }).catch((e) => e);
    expect(refused).to.be.instanceOf(InvalidCode);
    expect(s.accounts.audit).to.deep.equal([
      {
        type: 'mfa.passkey_clone_suspected',
        outcome: 'failure',
        actor: 'anonymous',
        subjectId: 'ada-id',
        details: { passkeyId: 'pk-1', credentialId: 'cred-1', passkeyName: 'Laptop', storedCounter: 7 },
        context: { client: '10.0.0.1' },
      },
    ]);
    expect(s.accounts.mails.map((m) => [m.kind, m.to, m.params.passkeyName])).to.deep.equal([
      ['passkey-clone-suspected', 'ada@example.com', 'Laptop'],
    ]);
    expect(JSON.stringify(s.accounts.audit)).not.to.include('public-key-bytes');
    expect((await s.mfa.stores.passkeys.findByCredentialId('cred-1'))!.counter).to.equal(7); // nothing moved
    // As a second factor the actor is the user who proved the password; without a verified address, no mail.
    await s.accounts.users.update(aUser({ id: 'ada-id', username: 'ada' }));
    expect(await s.verify.execute({ userId: 'ada-id', proof: { webauthn: { id: 'cred-1' } } }).catch((e) => e)).to.be.instanceOf(
      InvalidCode,
    );
    expect(s.accounts.audit.map((e) => [e.type, e.actor])).to.deep.equal([
      ['mfa.passkey_clone_suspected', 'anonymous'],
      ['mfa.passkey_clone_suspected', 'ada-id'],
    ]);
    expect(s.accounts.mails).to.have.length(1);
  });

  it('VerifyPasskey: a plain verification failure is refused without a clone report', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada', email: 'ada@example.com', emailVerified: true }));
    await s.mfa.stores.passkeys.add(aPasskey({ id: 'pk-1', userId: 'ada-id', credentialId: 'cred-1' }));
    s.passkeys.outcome = { ok: false, counterWentBack: false };
    expect(await s.passkeyLogin.execute({ response: { id: 'cred-1' } }).catch((e) => e)).to.be.instanceOf(InvalidCode);
    expect(s.accounts.audit).to.deep.equal([]);
    expect(s.accounts.mails).to.deep.equal([]);
  });

  it('PasskeyLogin: counts against the login throttle per client, and per account when the passkey is known', async () => {
    const s = setup();
    await s.accounts.users.add(aUser({ id: 'ada-id', username: 'ada' }));
    await s.mfa.stores.passkeys.add(aPasskey({ id: 'pk-1', userId: 'ada-id', credentialId: 'cred-1', counter: 1 }));
    const context = { client: '10.0.0.1' };
    expect(await s.passkeyLogin.execute({ response: { id: 'nobody-has-this' } }, context).catch((e) => e)).to.be.instanceOf(InvalidCode);
    s.passkeys.outcome = { ok: false, counterWentBack: false };
    expect(await s.passkeyLogin.execute({ response: { id: 'cred-1' } }, context).catch((e) => e)).to.be.instanceOf(InvalidCode);
    expect(s.loginThrottle.callsTo('begin')).to.deep.equal([{ client: '10.0.0.1' }, { account: 'ada', client: '10.0.0.1' }]);
    expect(s.loginThrottle.callsTo('failed')).to.deep.equal([{ client: '10.0.0.1' }, { account: 'ada', client: '10.0.0.1' }]);
    s.passkeys.outcome = { ok: true, newCounter: 2, userVerified: true };
    const user = await s.passkeyLogin.execute({ response: { id: 'cred-1' } }, context);
    expect(user.id).to.equal('ada-id');
    expect(s.loginThrottle.callsTo('succeeded')).to.deep.equal([{ account: 'ada', client: '10.0.0.1' }]);
    expect(s.accounts.audit.map((e) => [e.type, e.outcome, e.details?.method])).to.deep.equal([['login', 'success', 'passkey']]);
  });

  it('PasskeyLogin: over the login throttle it refuses before checking the assertion, and writes the block once', async () => {
    const s = setup();
    const loginThrottle = new FakeLoginThrottle({ client: 1 });
    const verifyPasskey = new VerifyPasskey(s.mfa.stores, s.passkeys, s.mfa, new SequentialIds(), s.clock);
    const trail: AuditEntry[] = [];
    const login = new PasskeyLogin(
      s.accounts.users,
      s.mfa.stores,
      s.passkeys,
      verifyPasskey,
      s.accounts,
      loginThrottle,
      new SequentialIds(),
      s.clock,
      new SignInAudit({ record: async (e) => void trail.push(e) }, s.accounts.users, s.clock),
    );
    expect(await login.execute({ response: { id: 'nobody-has-this' } }, { client: '10.0.0.9' }).catch((e) => e)).to.be.instanceOf(
      InvalidCode,
    );
    for (let i = 0; i < 2; i += 1) {
      expect(await login.execute({ response: { id: 'nobody-has-this' } }, { client: '10.0.0.9' }).catch((e) => e)).to.be.instanceOf(
        TooManyAttempts,
      );
    }
    expect(s.passkeys.verified).to.equal(0);
    expect(trail.map((e) => [e.type, e.details?.client, e.details?.username])).to.deep.equal([['login.blocked', '10.0.0.9', null]]);
  });
});
