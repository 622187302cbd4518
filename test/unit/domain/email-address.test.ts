import { expect } from 'chai';
import { looksLikeEmail, parseEmailAddress } from '../../../src/domain/email-address.js';
import { ValidationFailed } from '../../../src/domain/errors.js';
import { aUser } from '../../builders.js';

describe('parseEmailAddress', () => {
  it('trims and lower-cases', () => {
    expect(parseEmailAddress('  Ada.Lovelace+Engine@Example.COM ')).to.equal('ada.lovelace+engine@example.com');
  });

  it('accepts ordinary addresses', () => {
    for (const ok of ['a@b.co', "o'brien@example.ie", 'x_y-z@sub.example.org', `${'l'.repeat(64)}@example.com`]) {
      expect(parseEmailAddress(ok), ok).to.equal(ok);
    }
  });

  it('refuses what is not an address, naming the field', () => {
    const bad = [
      '',
      'plain',
      '@example.com',
      'a@',
      'a@localhost',
      'a@@example.com',
      'a..b@example.com',
      '.a@example.com',
      'a b@example.com',
      'a@exa mple.com',
      'a@-example.com',
      'a@example-.com',
      `${'l'.repeat(65)}@example.com`,
      `a@${'d'.repeat(250)}.com`,
      '"quoted"@example.com',
      'a@[127.0.0.1]',
      'a\n@example.com',
    ];
    for (const raw of bad) {
      const error = (() => {
        try {
          parseEmailAddress(raw, 'email');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
      expect((error as ValidationFailed).field).to.equal('email');
    }
  });

  it('tells an address from a username by its @ (usernames cannot contain one)', () => {
    expect(looksLikeEmail('ada@example.com')).to.equal(true);
    expect(looksLikeEmail('ada')).to.equal(false);
  });
});

describe('User email', () => {
  const ada = () => aUser({ email: 'ada@example.com' });
  const at = new Date('2026-01-01T00:00:00Z');

  it("verifies only the address the proof was for, and only while it is still the account's", () => {
    const user = ada();
    expect(user.verifiedEmail).to.equal(null);
    expect(user.verifyEmail(parseEmailAddress('other@example.com'), at)).to.equal(false);
    expect(user.emailVerified).to.equal(false);
    expect(user.verifyEmail(parseEmailAddress('ada@example.com'), at)).to.equal(true);
    expect(user.verifiedEmail).to.equal('ada@example.com');
  });

  it('makes a changed address unverified', () => {
    const user = aUser({ email: 'ada@example.com', emailVerified: true });
    user.changeEmail(parseEmailAddress('new@example.com'), at);
    expect(user.toSnapshot()).to.include({ email: 'new@example.com', emailVerified: false, updatedAt: at });
    expect(user.verifiedEmail).to.equal(null);
  });
});
