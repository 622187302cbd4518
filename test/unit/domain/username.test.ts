import { expect } from 'chai';
import { ValidationFailed } from '../../../src/domain/errors.js';
import { parseUsername } from '../../../src/domain/username.js';

function refusal(raw: string): unknown {
  try {
    parseUsername(raw);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('parseUsername', () => {
  it('trims and lower-cases', () => {
    expect(parseUsername('  Ada.Lovelace_1815-X \t')).to.equal('ada.lovelace_1815-x');
  });

  it('accepts 3 and 64 characters', () => {
    expect(parseUsername('abc')).to.equal('abc');
    expect(parseUsername('a'.repeat(64))).to.equal('a'.repeat(64));
  });

  it('refuses 2 and 65 characters, naming the field', () => {
    for (const raw of ['ab', 'a'.repeat(65), '', '   ']) {
      const err = refusal(raw);
      expect(err, JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
      expect((err as ValidationFailed).field).to.equal('username');
    }
  });

  it('counts length after trimming', () => {
    expect(refusal('  ab  ')).to.be.instanceOf(ValidationFailed);
  });

  it('refuses characters outside a-z 0-9 . _ -', () => {
    for (const raw of ['ada lovelace', 'ada@example', 'ada/1', 'adé', 'ada+1', 'ада', 'ada\0x', 'a\u200bda']) {
      expect(refusal(raw), JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
    }
  });

  it('maps names that differ only in case to the same value, so the unique index sees them as one', () => {
    expect(parseUsername('ADA')).to.equal(parseUsername('ada'));
    expect(parseUsername('Ada')).to.equal(parseUsername(' aDA '));
  });
});

describe('parseUsername: the rule holds on the input as given, not on its lower case', () => {
  it('refuses characters that lower-case into a-z, such as KELVIN SIGN (U+212A) and the dotted capital I', () => {
    for (const raw of ['\u212Aelvin1', 'kelvin\u212A', '\u0130stanbul', 'ﬀoo']) {
      const err = refusal(raw);
      expect(err, JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
      expect((err as ValidationFailed).field).to.equal('username');
    }
  });

  it('refuses names made only of punctuation, and accepts punctuation beside a letter or digit', () => {
    for (const raw of ['...', '---', '___', '._-', '-.-.-']) {
      const err = refusal(raw);
      expect(err, JSON.stringify(raw)).to.be.instanceOf(ValidationFailed);
      expect((err as ValidationFailed).reason).to.match(/letter or digit/);
    }
    expect(parseUsername('..a')).to.equal('..a');
    expect(parseUsername('_-1')).to.equal('_-1');
  });
});
