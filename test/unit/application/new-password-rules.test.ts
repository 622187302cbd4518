// The username and common-password rules, as registration and a password change apply them.
import { expect } from 'chai';
import { ZxcvbnCommonPasswords } from '../../../src/adapters/crypto/zxcvbn-common-passwords.js';
import type { CommonPasswords } from '../../../src/application/ports.js';
import { ValidationFailed } from '../../../src/domain/errors.js';
import { A_PASSWORD, anAdmin, aUser, callerOf } from '../../builders.js';
import { FakeCommonPasswords, type InMemoryUnitOfWork } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const setup = (commonPasswords: CommonPasswords = new FakeCommonPasswords()) => useCases({ commonPasswords });

async function withUsers(commonPasswords?: CommonPasswords) {
  const s = setup(commonPasswords);
  const ada = aUser({ id: 'ada-id', username: 'adalovelace' });
  const admin = anAdmin({ id: 'admin-id', username: 'root' });
  for (const u of [ada, admin]) await s.uow.users.add(u);
  return { ...s, ada, admin };
}

const hashOf = (uow: InMemoryUnitOfWork, id: string) => uow.users.snapshotOf(id)?.passwordHash;

describe('New passwords', () => {
  describe('at registration', () => {
    it('refuses the username, or one containing it in any case, saying why, before hashing', async () => {
      const { uow, hasher, createUser } = setup();
      for (const password of ['adalovelace', 'ADALOVELACE', 'I am AdaLovelace!', 'ａｄａｌｏｖｅｌａｃｅ 1815']) {
        const err = await createUser.execute({ username: 'AdaLovelace', password }, 'anonymous').catch((e) => e);
        expect(err, password).to.be.instanceOf(ValidationFailed);
        expect(err.field).to.equal('password');
        expect(err.message).to.match(/must not contain the username/);
      }
      expect(hasher.hashCalls).to.equal(0);
      expect(uow.users.size).to.equal(0);
      expect(uow.events).to.be.empty;
    });

    it('refuses a common password, in any case, saying why', async () => {
      const { uow, createUser } = setup();
      for (const password of ['qwerty123', 'QWERTY123', 'Password1']) {
        const err = await createUser.execute({ username: 'ada', password }, 'anonymous').catch((e) => e);
        expect(err, password).to.be.instanceOf(ValidationFailed);
        expect(err.field).to.equal('password');
        expect(err.message).to.match(/most common passwords/);
      }
      expect(uow.users.size).to.equal(0);
    });

    it('refuses what is on zxcvbn’s list and accepts an uncommon passphrase', async () => {
      const { uow, createUser } = setup(new ZxcvbnCommonPasswords());
      for (const password of ['Qwerty123', 'baseball', 'iloveyou', '12345678']) {
        const err = await createUser.execute({ username: 'ada', password }, 'anonymous').catch((e) => e);
        expect(err, password).to.be.instanceOf(ValidationFailed);
        expect(err.message).to.match(/most common passwords/);
      }
      await createUser.execute({ username: 'ada', password: A_PASSWORD }, 'anonymous');
      expect(uow.users.size).to.equal(1);
    });
  });

  describe('on a change', () => {
    it('refuses one containing the target’s username, saying why, and changes nothing', async () => {
      const { uow, hasher, changePassword, ada } = await withUsers();
      const err = await changePassword
        .execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: 'AdaLovelace rocks' }, callerOf(ada))
        .catch((e) => e);
      expect(err).to.be.instanceOf(ValidationFailed);
      expect(err.field).to.equal('newPassword');
      expect(err.message).to.match(/must not contain the username/);
      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
      expect(hasher.hashCalls).to.equal(0);
      expect(uow.events).to.be.empty;
    });

    it('checks an admin’s reset against the target’s username, not the admin’s', async () => {
      const { uow, changePassword, admin } = await withUsers();
      const err = await changePassword.execute({ userId: 'ada-id', newPassword: 'temporary adalovelace' }, callerOf(admin)).catch((e) => e);
      expect(err).to.be.instanceOf(ValidationFailed);
      expect(err.message).to.match(/must not contain the username/);

      await changePassword.execute({ userId: 'ada-id', newPassword: 'set by root today' }, callerOf(admin));
      expect(hashOf(uow, 'ada-id')).to.equal('hashed:set by root today');
    });

    it('refuses a common password, saying why, and changes nothing', async () => {
      const { uow, changePassword, ada, admin } = await withUsers(new ZxcvbnCommonPasswords());
      const own = await changePassword
        .execute({ userId: 'ada-id', currentPassword: A_PASSWORD, newPassword: 'QWERTY123' }, callerOf(ada))
        .catch((e) => e);
      const reset = await changePassword.execute({ userId: 'ada-id', newPassword: 'password1' }, callerOf(admin)).catch((e) => e);
      for (const err of [own, reset]) {
        expect(err).to.be.instanceOf(ValidationFailed);
        expect(err.field).to.equal('newPassword');
        expect(err.message).to.match(/most common passwords/);
      }
      expect(hashOf(uow, 'ada-id')).to.equal(`hashed:${A_PASSWORD}`);
      expect(uow.events).to.be.empty;
    });
  });
});
