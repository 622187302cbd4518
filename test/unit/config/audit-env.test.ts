import { expect } from 'chai';
import { InvalidEnvironment, parseEnv } from '../../../src/config/env.js';

const problemsOf = (source: Record<string, string>): string[] => {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof InvalidEnvironment) return err.problems;
    throw err;
  }
  return expect.fail('expected InvalidEnvironment');
};

describe('the audit settings', () => {
  it('keep entries a year and record them, by default', () => {
    expect(parseEnv({}).audit).to.deep.equal({ retentionMs: 365 * 86_400_000, enabled: true });
  });

  it('read AUDIT_RETENTION_DAYS and AUDIT_ENABLED', () => {
    expect(parseEnv({ AUDIT_RETENTION_DAYS: '30', AUDIT_ENABLED: 'false' }).audit).to.deep.equal({
      retentionMs: 30 * 86_400_000,
      enabled: false,
    });
  });

  it('name a bad value', () => {
    for (const value of ['0', '-1', 'a year', '1.5']) {
      expect(problemsOf({ AUDIT_RETENTION_DAYS: value }).join('\n')).to.match(/^AUDIT_RETENTION_DAYS: /);
    }
    expect(problemsOf({ AUDIT_ENABLED: 'off' }).join('\n')).to.match(/^AUDIT_ENABLED: /);
  });
});
