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
