import { expect } from 'chai';
import { AesGcmSecretBox } from '../../../../src/adapters/mfa/aes-gcm-secret-box.js';

describe('AesGcmSecretBox', () => {
  const box = new AesGcmSecretBox('a key secret of at least thirty-two bytes');

  it('opens what it sealed, for the same context, and never stores the plain text', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).to.match(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).to.not.include('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).to.equal('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh nonce each time', () => {
    expect(box.seal('same', 'user-1')).to.not.equal(box.seal('same', 'user-1'));
  });

  it('refuses another context (a secret copied onto another user), another key, and any change', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(() => box.open(sealed, 'user-2')).to.throw();
    expect(() => new AesGcmSecretBox('another key secret, also thirty-two bytes').open(sealed, 'user-1')).to.throw();
    const [v, nonce, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [v, flipped(nonce), body, tag],
      [v, nonce, flipped(body), tag],
      [v, nonce, body, flipped(tag)],
      ['v2', nonce, body, tag],
      [v, nonce, body],
    ]) {
      expect(() => box.open(tampered.join('.'), 'user-1'), tampered.join('.')).to.throw();
    }
  });
});
