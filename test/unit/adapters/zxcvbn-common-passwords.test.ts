import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ZxcvbnCommonPasswords } from '../../../src/adapters/crypto/zxcvbn-common-passwords.js';

describe('ZxcvbnCommonPasswords', () => {
  const common = new ZxcvbnCommonPasswords();

  it('holds a real list of at least 10,000 passwords', () => {
    expect(common.size).to.be.at.least(10_000);
  });

  it('knows the most common ones, ignoring case', () => {
    for (const password of ['password', '123456', 'qwerty123', 'PASSWORD', 'Password', 'QWERTY123', 'iloveyou']) {
      expect(common.includes(password), password).to.equal(true);
    }
  });

  it('does not know a random 20-character password, nor a long passphrase', () => {
    const random = randomBytes(15).toString('base64'); // 20 characters
    expect(random).to.have.length(20);
    expect(common.includes(random)).to.equal(false);
    expect(common.includes('correct horse battery staple, 2025')).to.equal(false);
  });
});
