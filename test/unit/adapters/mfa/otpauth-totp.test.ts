import { expect } from 'chai';
import { OtpauthTotp } from '../../../../src/adapters/mfa/otpauth-totp.js';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII "12345678901234567890"; its 8-digit codes end in these 6 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('OtpauthTotp', () => {
  const totp = new OtpauthTotp('auth.example.com');

  it('matches the RFC 6238 SHA-1 test vectors, returning the 30-second step', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(totp.matchStep(RFC_SECRET, code, new Date(seconds * 1000)), `T=${seconds}`).to.equal(Math.floor(seconds / 30));
    }
  });

  it('accepts one step of drift either way and no more', () => {
    const at = (seconds: number) => new Date(seconds * 1000);
    const code = '081804'; // step 37037036 (T = 1111111109)
    expect(totp.matchStep(RFC_SECRET, code, at(1111111109 + 30))).to.equal(37037036);
    expect(totp.matchStep(RFC_SECRET, code, at(1111111109 - 30))).to.equal(37037036);
    expect(totp.matchStep(RFC_SECRET, code, at(1111111109 + 60))).to.equal(undefined);
    expect(totp.matchStep(RFC_SECRET, code, at(1111111109 - 60))).to.equal(undefined);
  });

  it('refuses anything but six digits', () => {
    for (const code of ['', '28708', '2870820', ' 287082', '287082 ', 'abcdef', '２８７０８２']) {
      expect(totp.matchStep(RFC_SECRET, code, new Date(59_000)), JSON.stringify(code)).to.equal(undefined);
    }
  });

  it('makes 160-bit base32 secrets and an otpauth URI with the parameters apps read', () => {
    const secret = totp.newSecret();
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    expect(totp.newSecret()).to.not.equal(secret);
    const uri = new URL(totp.uri(secret, 'ada'));
    expect(uri.href).to.match(/^otpauth:\/\/totp\/auth\.example\.com:ada\?/);
    expect(Object.fromEntries(uri.searchParams)).to.deep.equal({
      issuer: 'auth.example.com',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
