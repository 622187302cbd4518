import { expect } from 'chai';
import { Forbidden, IncorrectCurrentPassword, InvalidCredentials, UserNotFound, ValidationFailed } from '../../../src/domain/errors.js';
import { A_PASSWORD, anAdmin, aUser, callerOf } from '../../builders.js';
import { type InMemoryUnitOfWork, T0 } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const NEW_PASSWORD = 'a brand new secret';
const LATER = new Date(T0.getTime() + 60_000);
/** The caller's own session, as the HTTP edge passes it. */
const ADA_LAPTOP = { sessionId: 'ada-laptop' };
const ADMIN_LAPTOP = { sessionId: 'admin-laptop' };
const ADMIN_PHONE = { sessionId: 'admin-phone' };

async function setup() {
  const s = useCases();
  const { uow, clock } = s;
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const bob = aUser({ id: 'bob-id', username: 'bob' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  for (const u of [ada, bob, admin]) await uow.users.add(u);
  uow.sessions.start('ada-id', 'ada-laptop');
  uow.sessions.start('ada-id', 'ada-phone');
  uow.sessions.start('bob-id', 'bob-laptop');
  uow.sessions.start('admin-id', 'admin-laptop');
  uow.sessions.start('admin-id', 'admin-phone');
  clock.advance(LATER.getTime() - T0.getTime());
  return { ...s, ada, bob, admin };
}

const hashOf = (uow: InMemoryUnitOfWork, id: string) => uow.users.snapshotOf(id)?.passwordHash;

describe('ChangePassword', () => {
  describe('of one’s own account', () => {
    it('changes it given the current one, and the new one logs in while the old one does not', async () => {
      const { uow, changePassword, authenticate, ada } = await setup();
      await changePassword.execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP);

      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${NEW_PASSWORD}`);
      expect(uow.users.snapshotOf('ada-id')?.updatedAt).to.deep.equal(LATER);
      expect((await authenticate.execute({ username: 'ada', password: NEW_PASSWORD })).id).to.equal('ada-id');
      const err = await authenticate.execute({ username: 'ada', password: A_PASSWORD }).catch((e) => e);
      expect(err).to.be.instanceOf(InvalidCredentials);
    });

    it('emits one user.password_changed, with no password or hash in it, and the sessions it ended', async () => {
      const { uow, changePassword, ada } = await setup();
      await changePassword.execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP);

      expect(uow.events).to.have.length(2);
      expect(uow.events[1]!.payload).to.deep.equal({
        userId: 'ada-id',
        sessionIds: ['ada-phone'],
        reason: 'password-changed',
        endedBy: 'ada-id',
      });
      expect(uow.events[0]).to.deep.include({ type: 'user.password_changed', aggregateId: 'ada-id', occurredAt: LATER });
      expect(uow.events[0]!.payload).to.deep.equal({ userId: 'ada-id', changedBy: 'ada-id', reason: 'change' });
      const serialized = JSON.stringify(uow.events);
      for (const secret of [A_PASSWORD, NEW_PASSWORD, `hashed:${A_PASSWORD}`, `hashed:${NEW_PASSWORD}`]) {
        expect(serialized).not.to.include(secret);
      }
    });

    it('ends its other sessions but keeps the one it changed it from', async () => {
      const { uow, changePassword, ada } = await setup();
      await changePassword.execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP);

      expect(uow.sessions.keysOf('ada-id')).to.deep.equal(['ada-laptop']);
      expect(uow.sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
      expect(uow.sessions.keysOf('admin-id')).to.have.length(2);
    });

    it('requires the current password, naming currentPassword, and changes nothing', async () => {
      const { uow, hasher, changePassword, ada } = await setup();
      const err = await changePassword.execute({ userId: 'ada-id', newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP).catch((e) => e);

      expect(err).to.be.instanceOf(ValidationFailed);
      expect(err.field).to.equal('currentPassword');
      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
      expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
      expect(uow.events).to.be.empty;
      expect(hasher.hashCalls).to.equal(0);
    });

    it('refuses a wrong current password and changes nothing', async () => {
      const { uow, changePassword, ada } = await setup();
      for (const currentPassword of ['not my password', '', `${A_PASSWORD}\0tail`]) {
        const err = await changePassword
          .execute({ userId: 'ada-id', currentPassword, newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP)
          .catch((e) => e);
        expect(err, JSON.stringify(currentPassword)).to.be.instanceOf(IncorrectCurrentPassword);
      }
      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
      expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
      expect(uow.events).to.be.empty;
    });

    it('requires an admin changing its own to give the current one too', async () => {
      const { uow, changePassword, admin } = await setup();
      const missing = await changePassword.execute({ userId: 'admin-id', newPassword: NEW_PASSWORD }, callerOf(admin)).catch((e) => e);
      expect(missing).to.be.instanceOf(ValidationFailed);
      expect(missing.field).to.equal('currentPassword');
      const wrong = await changePassword
        .execute({ userId: 'admin-id', currentPassword: 'not my password', newPassword: NEW_PASSWORD }, callerOf(admin))
        .catch((e) => e);
      expect(wrong).to.be.instanceOf(IncorrectCurrentPassword);
      expect(hashOf(uow, 'admin-id')).to.equal(`hashed:${A_PASSWORD}`);

      await changePassword.execute(
        { userId: 'admin-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD },
        callerOf(admin),
        ADMIN_PHONE,
      );
      expect(hashOf(uow, 'admin-id')).to.equal(`hashed:${NEW_PASSWORD}`);
      expect(uow.sessions.keysOf('admin-id')).to.deep.equal(['admin-phone']);
    });

    it('accepts the current password typed in the other Unicode form', async () => {
      const { uow, changePassword } = await setup();
      const zoe = aUser({ id: 'zoe-id', username: 'zoe', password: 'caf\u00e9 au lait' });
      await uow.users.add(zoe);
      await changePassword.execute({ userId: 'zoe-id', currentPassword: 'cafe\u0301 au lait', newPassword: NEW_PASSWORD }, callerOf(zoe));
      expect(hashOf(uow, 'zoe-id')).to.equal(`hashed:${NEW_PASSWORD}`);
    });
  });

  describe('by an admin, of another account', () => {
    it('resets it without the current password and ends all that user’s sessions', async () => {
      const { uow, changePassword, admin } = await setup();
      await changePassword.execute({ userId: 'ada-id', newPassword: NEW_PASSWORD }, callerOf(admin), ADMIN_LAPTOP);

      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${NEW_PASSWORD}`);
      expect(uow.sessions.keysOf('ada-id')).to.deep.equal([]);
      expect(uow.sessions.keysOf('admin-id')).to.have.length(2);
      expect(uow.events.map((e) => [e.type, e.aggregateId, e.payload])).to.deep.equal([
        ['user.password_changed', 'ada-id', { userId: 'ada-id', changedBy: 'admin-id', reason: 'change' }],
        [
          'user.sessions_ended',
          'ada-id',
          { userId: 'ada-id', sessionIds: ['ada-laptop', 'ada-phone'], reason: 'password-changed', endedBy: 'admin-id' },
        ],
      ]);
    });

    it('keeps none of the target’s sessions even if the caller’s session key is one of them', async () => {
      const { uow, changePassword, admin } = await setup();
      await changePassword.execute({ userId: 'ada-id', newPassword: NEW_PASSWORD }, callerOf(admin), ADA_LAPTOP);
      expect(uow.sessions.keysOf('ada-id')).to.deep.equal([]);
    });

    it('tells it an unknown id is not found', async () => {
      const { uow, changePassword, admin } = await setup();
      const err = await changePassword.execute({ userId: 'no-such-id', newPassword: NEW_PASSWORD }, callerOf(admin)).catch((e) => e);
      expect(err).to.be.instanceOf(UserNotFound);
      expect(uow.events).to.be.empty;
    });
  });

  it('forbids a user to change another’s password, even giving its current one', async () => {
    const { uow, changePassword, ada } = await setup();
    const err = await changePassword
      .execute({ userId: 'bob-id', currentPassword: A_PASSWORD, newPassword: NEW_PASSWORD }, callerOf(ada), ADA_LAPTOP)
      .catch((e) => e);
    expect(err).to.be.instanceOf(Forbidden);
    expect(hashOf(uow, 'bob-id')).to.equal(`hashed:${A_PASSWORD}`);
    expect(uow.sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
    expect(uow.events).to.be.empty;
  });

  it('applies the password policy to the new password, naming newPassword', async () => {
    const { uow, changePassword, ada } = await setup();
    for (const newPassword of ['short', 'é'.repeat(36) + 'a', 'long enough\0']) {
      const err = await changePassword
        .execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword }, callerOf(ada))
        .catch((e) => e);
      expect(err, JSON.stringify(newPassword)).to.be.instanceOf(ValidationFailed);
      expect(err.field).to.equal('newPassword');
    }
    expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
  });

  it('stores the new password in NFKC and accepts one of exactly 72 bytes', async () => {
    const { uow, changePassword, ada } = await setup();
    await changePassword.execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: 'e\u0301'.repeat(36) }, callerOf(ada));
    expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${'é'.repeat(36)}`);
  });

  it('changes neither the password nor the sessions when its event cannot be written', async () => {
    const { uow, changePassword, admin } = await setup();
    uow.failNextOutboxAdd();
    const err = await changePassword.execute({ userId: 'ada-id', newPassword: NEW_PASSWORD }, callerOf(admin)).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
    expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
    expect(uow.events).to.be.empty;
  });
});
