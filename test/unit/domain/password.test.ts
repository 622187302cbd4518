import { expect } from 'chai';
import { ValidationFailed } from '../../../src/domain/errors.js';
import { candidatePassword, parseNewPassword, type NewPasswordRules } from '../../../src/domain/password.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function refusal(raw: string, rules: NewPasswordRules = {}): ValidationFailed | undefined {
  try {
    parseNewPassword(raw, rules);
  } catch (err) {
    if (err instanceof ValidationFailed) return err;
    throw err;
  }
  return undefined;
}

describe('parseNewPassword', () => {
  it('accepts 8 characters and refuses 7', () => {
    expect(parseNewPassword('12345678')).to.equal('12345678');
    expect(refusal('1234567')?.field).to.equal('password');
  });

  it('counts characters as code points, not UTF-16 units', () => {
    const emoji = '\u{1F511}'; // two UTF-16 units, one character
    expect(refusal(emoji.repeat(7)), '7 emoji').to.be.instanceOf(ValidationFailed);
    expect(parseNewPassword(emoji.repeat(8))).to.equal(emoji.repeat(8));
  });

  it('accepts exactly 72 UTF-8 bytes of multi-byte characters', () => {
    const twoByte = 'é'.repeat(36);
    const threeByte = '€'.repeat(24);
    expect(bytes(twoByte)).to.equal(72);
    expect(bytes(threeByte)).to.equal(72);
    expect(parseNewPassword(twoByte)).to.equal(twoByte);
    expect(parseNewPassword(threeByte)).to.equal(threeByte);
  });

  it('refuses 73 bytes rather than truncating them', () => {
    for (const raw of ['é'.repeat(36) + 'a', 'a'.repeat(73), '€'.repeat(24) + 'x']) {
      expect(bytes(raw)).to.equal(73);
      expect(refusal(raw), raw).to.be.instanceOf(ValidationFailed);
    }
  });

  it('refuses a NUL anywhere', () => {
    expect(refusal('long enough\0')).to.be.instanceOf(ValidationFailed);
    expect(refusal('\0long enough')).to.be.instanceOf(ValidationFailed);
  });

  it('returns the NFKC form, so both ways of typing é hash the same', () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    expect(parseNewPassword(decomposed)).to.equal(composed);
    expect(parseNewPassword(composed)).to.equal(composed);
    expect(parseNewPassword('ｆｕｌｌｗｉｄｔｈ')).to.equal('fullwidth');
  });

  it('measures the normalised form', () => {
    // 36 × (e + combining acute) is 108 bytes as typed but 72 once composed.
    expect(parseNewPassword('e\u0301'.repeat(36))).to.equal('é'.repeat(36));
    // 4 × (e + accent) looks like 8 code points but is 4 characters.
    expect(refusal('e\u0301'.repeat(4))).to.be.instanceOf(ValidationFailed);
  });

  it('names the field it is given', () => {
    expect(refusal('short', { field: 'newPassword' })?.field).to.equal('newPassword');
  });
});

describe('parseNewPassword with the account’s username', () => {
  it('refuses the username itself, or a password containing it, in any case, saying why', () => {
    for (const raw of ['adalovelace', 'ADALOVELACE', 'my adalovelace pass', 'AdaLovelace1815', '1815-adaLOVELACE']) {
      const err = refusal(raw, { field: 'newPassword', username: 'adalovelace' });
      expect(err, raw).to.be.instanceOf(ValidationFailed);
      expect(err!.field).to.equal('newPassword');
      expect(err!.reason).to.equal('must not contain the username');
    }
  });

  it('compares after NFKC, so full-width letters do not hide the username', () => {
    expect(refusal('ＡＤＡＬＯＶＥＬＡＣＥ!', { username: 'adalovelace' })?.reason).to.equal('must not contain the username');
  });

  it('accepts a password that merely shares letters with the username', () => {
    expect(parseNewPassword('lovelace ada 1815', { username: 'adalovelace' })).to.equal('lovelace ada 1815');
    expect(parseNewPassword('adalovelace')).to.equal('adalovelace'); // no username given, no check
  });
});

describe('parseNewPassword with the common-password list', () => {
  it('refuses a password the list holds, saying why', () => {
    const asked: string[] = [];
    const isCommon = (p: string) => {
      asked.push(p);
      return p === 'qwerty123';
    };
    const err = refusal('ｑｗｅｒｔｙ123', { isCommon }); // full width: the list is asked about the NFKC form
    expect(err).to.be.instanceOf(ValidationFailed);
    expect(err!.field).to.equal('password');
    expect(err!.reason).to.match(/most common passwords/);
    expect(asked).to.deep.equal(['qwerty123']);
    expect(parseNewPassword('an uncommon phrase', { isCommon })).to.equal('an uncommon phrase');
  });

  it('checks the length first, so a short common password is told it is short', () => {
    expect(refusal('123456', { isCommon: () => true })?.reason).to.match(/at least 8 characters/);
  });
});

describe('candidatePassword', () => {
  it('returns the NFKC form to compare', () => {
    expect(candidatePassword('cafe\u0301 au lait')).to.equal('caf\u00e9 au lait');
  });

  it('refuses a NUL, so "secretpass\\0x" can never match "secretpass" under bcrypt', () => {
    expect(candidatePassword('secretpass\0x')).to.equal(undefined);
  });

  it('refuses more than 72 bytes, so a longer password can never match its 72-byte prefix', () => {
    expect(candidatePassword('é'.repeat(36))).to.equal('é'.repeat(36));
    expect(candidatePassword('é'.repeat(36) + 'a')).to.equal(undefined);
  });

  it('does not apply the length minimum: a short guess is simply wrong, not invalid', () => {
    expect(candidatePassword('short')).to.equal('short');
  });
});
