import { expect } from 'chai';
import { AesGcmSecretBox } from '../../../src/adapters/tokens/aes-gcm-secret-box.js';

const SECRET = 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT';

describe('AesGcmSecretBox', () => {
  it('opens what it sealed, under the same context, and never shows the plaintext', () => {
    const box = new AesGcmSecretBox(SECRET);
    const sealed = box.seal('{"d":"private"}', 'kid-1');
    expect(sealed).to.match(/^v1\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.to.include('private');
    expect(box.seal('{"d":"private"}', 'kid-1'), 'a fresh nonce each time').not.to.equal(sealed);
    expect(box.open(sealed, 'kid-1')).to.equal('{"d":"private"}');
  });

  it('refuses another secret, another context, and any altered byte', () => {
    const sealed = new AesGcmSecretBox(SECRET).seal('private', 'kid-1');
    expect(() => new AesGcmSecretBox(`${SECRET}!`).open(sealed, 'kid-1')).to.throw();
    expect(() => new AesGcmSecretBox(SECRET).open(sealed, 'kid-2')).to.throw();
    const [v, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = `${body.slice(0, 3)}${body[3] === 'A' ? 'B' : 'A'}${body.slice(4)}`;
    expect(() => new AesGcmSecretBox(SECRET).open(`${v}.${iv}.${flipped}`, 'kid-1')).to.throw();
    expect(() => new AesGcmSecretBox(SECRET).open('not sealed', 'kid-1')).to.throw();
  });
});
