import { expect } from 'chai';
import { ChangeEmail } from '../../../src/application/email/change-email.js';
import { RequestPasswordReset } from '../../../src/application/email/request-password-reset.js';
import { ResetPassword } from '../../../src/application/email/reset-password.js';
import { VerifyEmail } from '../../../src/application/email/verify-email.js';
import { ChangePassword } from '../../../src/application/accounts/change-password.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { EmailTaken, InvalidToken, TooManyAttempts } from '../../../src/domain/errors.js';
import { A_PASSWORD, aUser, callerOf } from '../../builders.js';
import {
  FakeCommonPasswords,
  FakeLoginThrottle,
  FakeRegistrationThrottle,
  FakePasswordHasher,
  FixedClock,
  InMemoryUnitOfWork,
  SequentialIds,
} from '../../fakes.js';

const NEW_PASSWORD = 'a brand new passphrase';

function setup() {
  const uow = new InMemoryUnitOfWork();
  const hasher = new FakePasswordHasher();
  const ids = new SequentialIds();
  const clock = new FixedClock();
  const login = new FakeLoginThrottle();
  const tokens = new FakeLoginThrottle();
  const settings = { resetTtlMs: 30 * 60_000, forgotMinDurationMs: 0 };
  const forgotClient = new FakeLoginThrottle({ client: 2 });
  const forgotAccount = new FakeLoginThrottle({ account: 1 });
  return {
    uow,
    clock,
    login,
    tokens,
    forgotClient,
    createUser: new CreateUser(uow, hasher, new FakeCommonPasswords(), ids, clock, uow.users, new FakeRegistrationThrottle()),
    changeEmail: new ChangeEmail(uow.users, uow, hasher, login, ids, clock),
    changePassword: new ChangePassword(uow.users, uow, hasher, new FakeCommonPasswords(), login, ids, clock),
    verifyEmail: new VerifyEmail(uow, tokens, ids, clock),
    forgot: new RequestPasswordReset(uow.users, uow, forgotClient, forgotAccount, settings, ids, clock, { atLeast: (_ms, work) => work() }),
    reset: new ResetPassword(uow.users, uow, hasher, new FakeCommonPasswords(), tokens, login, ids, clock),
  };
}

async function withAda(s: ReturnType<typeof setup>, spec: { verified?: boolean } = {}) {
  const ada = aUser({ id: 'ada-id', username: 'ada', email: 'ada@example.com', emailVerified: spec.verified ?? true });
  await s.uow.users.add(ada);
  return ada;
}

describe('email use cases', () => {
  it('CreateUser queues a verification link with the account, in its transaction, and nothing when the address is taken', async () => {
    const s = setup();
    await s.createUser.execute({ username: 'ada', password: A_PASSWORD, email: 'Ada@Example.com' }, 'anonymous');
    expect(s.uow.mails.map((m) => [m.kind, m.to])).to.deep.equal([['verify-email', 'ada@example.com']]);
    expect([...s.uow.emailTokens.tokens.values()].map((t) => [t.purpose, t.email])).to.deep.equal([['verify-email', 'ada@example.com']]);
    const error = await s.createUser
      .execute({ username: 'bob', password: A_PASSWORD, email: 'ADA@example.com' }, 'anonymous')
      .catch((e) => e);
    expect(error).to.be.instanceOf(EmailTaken);
    expect(s.uow.mails).to.have.length(1);
    await s.createUser.execute({ username: 'carol', password: A_PASSWORD }, 'anonymous');
    expect(s.uow.mails).to.have.length(1);
  });

  it('ChangeEmail tells a verified old address, voids its tokens, and does nothing for the same address', async () => {
    const s = setup();
    const ada = await withAda(s);
    await s.uow.emailTokens.issue({
      userId: ada.id,
      purpose: 'password-reset',
      email: ada.email!,
      expiresAt: new Date(Date.now() + 60_000),
    });
    await s.changeEmail.execute({ userId: ada.id, email: 'ADA@example.com', currentPassword: A_PASSWORD }, callerOf(ada));
    expect(s.uow.mails).to.deep.equal([]);
    await s.changeEmail.execute({ userId: ada.id, email: 'new@example.com', currentPassword: A_PASSWORD }, callerOf(ada));
    expect(s.uow.mails.map((m) => [m.kind, m.to])).to.deep.equal([
      ['verify-email', 'new@example.com'],
      ['email-changed', 'ada@example.com'],
    ]);
    expect([...s.uow.emailTokens.tokens.values()].map((t) => [t.purpose, t.email])).to.deep.equal([['verify-email', 'new@example.com']]);
    expect(s.uow.events.map((e) => e.type)).to.deep.equal(['user.email_changed']);
  });

  it("VerifyEmail refuses a token for an address no longer the user's, and gives the client its attempt back on success", async () => {
    const s = setup();
    const ada = await withAda(s, { verified: false });
    const old = await s.uow.emailTokens.issue({
      userId: ada.id,
      purpose: 'verify-email',
      email: ada.email!,
      expiresAt: new Date(s.clock.now().getTime() + 1000),
    });
    const moved = s.uow.users.snapshotOf(ada.id)!;
    await s.uow.users.update(aUser({ ...moved, email: 'moved@example.com' }));
    expect(await s.verifyEmail.execute({ token: old }, { client: '1.2.3.4' }).catch((e) => e)).to.be.instanceOf(InvalidToken);
    expect(s.tokens.attemptsFrom('1.2.3.4')).to.equal(1);

    const fresh = await s.uow.emailTokens.issue({
      userId: ada.id,
      purpose: 'verify-email',
      email: 'moved@example.com' as never,
      expiresAt: new Date(s.clock.now().getTime() + 1000),
    });
    await s.verifyEmail.execute({ token: fresh }, { client: '1.2.3.4' });
    expect(s.uow.users.snapshotOf(ada.id)).to.include({ emailVerified: true });
    expect(s.tokens.attemptsFrom('1.2.3.4')).to.equal(1);
  });

  it('RequestPasswordReset sends only to a verified address, within the account limit, and answers alike otherwise', async () => {
    const s = setup();
    await withAda(s);
    await s.uow.users.add(aUser({ id: 'bob-id', username: 'bob', email: 'bob@example.com', emailVerified: false }));
    await s.forgot.execute({ username: 'bob' }, { client: 'a' });
    await s.forgot.execute({ username: 'bob@example.com' }, { client: 'b' });
    await s.forgot.execute({ username: 'nobody' }, { client: 'c' });
    expect(s.uow.mails).to.deep.equal([]);
    await s.forgot.execute({ username: 'ADA@example.com' }, { client: 'd' });
    await s.forgot.execute({ username: 'ada' }, { client: 'd' }); // over the per-account limit: silently nothing
    expect(s.uow.mails.map((m) => [m.kind, m.to])).to.deep.equal([['password-reset', 'ada@example.com']]);
    expect(await s.forgot.execute({ username: 'ada' }, { client: 'd' }).catch((e) => e)).to.be.instanceOf(TooManyAttempts);
  });

  it('ResetPassword changes the password, ends the sessions, voids the links, writes both events, tells the owner, clears the login throttle', async () => {
    const s = setup();
    const ada = await withAda(s);
    s.uow.sessions.start(ada.id, 'laptop');
    await s.forgot.execute({ username: 'ada' }, { client: 'x' });
    const token = s.uow.mails[0]!.params.token!;
    await s.reset.execute({ token, newPassword: NEW_PASSWORD }, { client: 'x' });
    expect(s.uow.users.snapshotOf(ada.id)!.passwordHash).to.equal(`hashed:${NEW_PASSWORD}`);
    expect(s.uow.sessions.keysOf(ada.id)).to.deep.equal([]);
    expect(s.uow.emailTokens.tokens.size).to.equal(0);
    expect(s.uow.events.map((e) => [e.type, e.payload])).to.deep.equal([
      ['user.password_changed', { userId: ada.id, changedBy: ada.id, reason: 'reset' }],
      ['user.sessions_ended', { userId: ada.id, sessionIds: ['laptop'], reason: 'password-reset', endedBy: ada.id }],
    ]);
    // In the transactions that sent the link and changed the password; never the token.
    expect(s.uow.audit.map((e) => [e.type, e.actor, e.subjectId, e.details])).to.deep.equal([
      ['password.reset_requested', 'anonymous', ada.id, { email: 'ada@example.com' }],
      ['password.reset_completed', ada.id, ada.id, { sessionsEnded: 1 }],
    ]);
    expect(s.uow.mails.map((m) => [m.kind, m.params.reason])).to.deep.equal([
      ['password-reset', undefined],
      ['password-changed', 'reset'],
    ]);
    expect(s.login.callsTo('succeeded')).to.deep.equal([{ account: 'ada' }]);
    expect(await s.reset.execute({ token, newPassword: NEW_PASSWORD }, { client: 'x' }).catch((e) => e)).to.be.instanceOf(InvalidToken);
  });

  it('ResetPassword refuses an expired token, and one whose address is no longer verified', async () => {
    const s = setup();
    const ada = await withAda(s);
    await s.forgot.execute({ username: 'ada' }, { client: 'x' });
    const token = s.uow.mails[0]!.params.token!;
    s.clock.advance(30 * 60_000);
    expect(await s.reset.execute({ token, newPassword: NEW_PASSWORD }).catch((e) => e)).to.be.instanceOf(InvalidToken);

    const t2 = await s.uow.emailTokens.issue({
      userId: ada.id,
      purpose: 'password-reset',
      email: ada.email!,
      expiresAt: new Date(s.clock.now().getTime() + 60_000),
    });
    await s.uow.users.update(aUser({ ...s.uow.users.snapshotOf(ada.id)!, emailVerified: false }));
    expect(await s.reset.execute({ token: t2, newPassword: NEW_PASSWORD }).catch((e) => e)).to.be.instanceOf(InvalidToken);
    expect(s.uow.users.snapshotOf(ada.id)!.passwordHash).to.equal(`hashed:${A_PASSWORD}`);
  });

  it('ChangePassword voids reset links and tells a verified address, not an unverified one', async () => {
    const s = setup();
    const ada = await withAda(s);
    await s.uow.users.add(aUser({ id: 'bob-id', username: 'bob', email: 'bob@example.com', emailVerified: false }));
    await s.forgot.execute({ username: 'ada' }, { client: 'x' });
    await s.changePassword.execute({ userId: ada.id, currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada));
    const bob = (await s.uow.users.findById('bob-id'))!;
    await s.changePassword.execute({ userId: bob.id, currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(bob));
    expect(s.uow.emailTokens.tokens.size).to.equal(0);
    expect(s.uow.mails.map((m) => [m.kind, m.to, m.params.reason])).to.deep.equal([
      ['password-reset', 'ada@example.com', undefined],
      ['password-changed', 'ada@example.com', 'change'],
    ]);
  });
});
