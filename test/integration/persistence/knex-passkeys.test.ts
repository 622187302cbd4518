import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { KnexPasskeys } from '../../../src/adapters/persistence/mfa/knex-passkeys.js';
import { ObjectionUserRepository } from '../../../src/adapters/persistence/objection-user-repository.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { aPasskey } from '../../mfa-fakes.js';
import { databaseSuite, EACH_DATABASE } from '../../support/database-suite.js';

const ids = new UuidIdGenerator();
const NOW = new Date('2025-01-02T03:00:00Z');

for (const [name, open] of EACH_DATABASE) {
  describe(`KnexPasskeys: the signature counter (${name})`, function () {
    let db: Knex, passkeys: KnexPasskeys, userId: string;
    databaseSuite(open, (given) => {
      db = given;
      passkeys = new KnexPasskeys(db);
    });
    beforeEach(async () => {
      await db('webauthn_credentials').delete();
      await db('users').delete();
      const user = User.register({ id: ids.next(), username: parseUsername('ada'), role: 'user', passwordHash: 'x'.repeat(60), now: NOW });
      await new ObjectionUserRepository(db).add(user);
      userId = user.id;
    });

    const counterOf = async (credentialId: string) => (await passkeys.findByCredentialId(credentialId))!.counter;

    it('records two uses of one authenticator that both read counter 5, when the later-signed one comes last', async () => {
      await passkeys.add(aPasskey({ id: ids.next(), userId, credentialId: 'cred-a', counter: 5 }));
      const { id } = (await passkeys.findByCredentialId('cred-a'))!;
      expect(await passkeys.recordUse(id, 5, 6, NOW)).to.equal(true);
      expect(await passkeys.recordUse(id, 5, 7, NOW)).to.equal(true); // signed after the first: not a clone
      expect(await counterOf('cred-a')).to.equal(7);
    });

    it('refuses a count already recorded or passed: two clones signing 6, or an older count arriving last', async () => {
      await passkeys.add(aPasskey({ id: ids.next(), userId, credentialId: 'cred-b', counter: 5 }));
      const { id } = (await passkeys.findByCredentialId('cred-b'))!;
      expect(await passkeys.recordUse(id, 5, 6, NOW)).to.equal(true);
      expect(await passkeys.recordUse(id, 5, 6, NOW)).to.equal(false);
      expect(await passkeys.recordUse(id, 6, 8, NOW)).to.equal(true);
      expect(await passkeys.recordUse(id, 6, 7, NOW)).to.equal(false); // never moves the counter back
      expect(await counterOf('cred-b')).to.equal(8);
    });

    it('keeps recording an authenticator without a counter (always 0), also twice at once', async () => {
      await passkeys.add(aPasskey({ id: ids.next(), userId, credentialId: 'cred-c', counter: 0 }));
      const { id } = (await passkeys.findByCredentialId('cred-c'))!;
      expect(await Promise.all([passkeys.recordUse(id, 0, 0, NOW), passkeys.recordUse(id, 0, 0, NOW)])).to.deep.equal([true, true]);
      expect(await counterOf('cred-c')).to.equal(0);
    });
  });
}
