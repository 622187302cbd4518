import { expect } from 'chai';
import { HmacRecoveryCodes } from '../../../../src/adapters/mfa/hmac-recovery-codes.js';

describe('HmacRecoveryCodes', () => {
  const codes = new HmacRecoveryCodes('a key secret of at least thirty-two bytes');

  it('makes ten distinct codes of 50 bits, grouped xxxxx-xxxxx in an unambiguous alphabet', () => {
    const set = codes.generate();
    expect(set).to.have.length(10);
    expect(new Set(set).size).to.equal(10);
    for (const code of set) expect(code).to.match(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    const all = Array.from({ length: 200 }, () => codes.generate())
      .flat()
      .join('')
      .replace(/-/g, '');
    expect(new Set(all).size, 'every one of the 32 symbols appears').to.equal(32);
  });

  it('hashes with a key: the same code gives the same hash under the same key only, and never the code itself', () => {
    const [code] = codes.generate() as [string];
    const hash = codes.hash(code)!;
    expect(hash).to.match(/^[0-9a-f]{64}$/);
    expect(codes.hash(code)).to.equal(hash);
    expect(new HmacRecoveryCodes('another key secret, also thirty-two bytes').hash(code)).to.not.equal(hash);
  });

  it('reads a code however it is typed: case, spaces, dashes, and the letters that look like digits', () => {
    const hash = codes.hash('0a1b2-c3d4e');
    for (const typed of ['0A1B2-C3D4E', '0a1b2c3d4e', ' 0a1b2 c3d4e ', 'oa1b2-c3d4e', '0aib2-c3d4e', '0alb2-c3d4e']) {
      expect(codes.hash(typed), typed).to.equal(hash);
    }
  });

  it('refuses text that cannot be a code', () => {
    for (const text of ['', '0a1b2-c3d4', '0a1b2-c3d4ef', '0a1b2-c3d4u', '0a1b2_c3d4e', '0a1b2-c3d4é'])
      expect(codes.hash(text), text).to.equal(undefined);
  });
});
