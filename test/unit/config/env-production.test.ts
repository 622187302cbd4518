import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { InvalidEnvironment, parseEnv, weakSecretReason } from '../../../src/config/env.js';

const GOOD_SECRET = 'kq3VZp9Xw2LrT8sYb5NcHj4FmD7aGe6U';

function problemsOf(source: NodeJS.ProcessEnv): string[] {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof InvalidEnvironment) return err.problems;
    throw err;
  }
  expect.fail('expected InvalidEnvironment');
}

/** The variables named, without the index zod adds for a list item (`ALLOWED_ORIGINS.0`). */
const names = (problems: string[]) => [...new Set(problems.map((p) => p.split(':')[0]!.split('.')[0]))];
const GOOD_KEY = 'Hq7uN2cR5vX8zB1eT4yK9mP3sW6aF0dJ'; // another 32 varied characters, for MFA_KEY_SECRET
const GOOD_KEY_SECRET = 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT';
const production = (vars: NodeJS.ProcessEnv) => ({
  NODE_ENV: 'production',
  SESSION_SECRET: GOOD_SECRET,
  MFA_KEY_SECRET: GOOD_KEY,
  TOKEN_KEY_SECRET: GOOD_KEY_SECRET,
  ...vars,
});

describe('parseEnv in production', () => {
  it('accepts a good random secret', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(weakSecretReason(secret)).to.equal(undefined);
    expect(parseEnv(production({ SESSION_SECRET: secret })).sessionSecret).to.equal(secret);
    expect(parseEnv(production({ SESSION_SECRET: randomBytes(32).toString('hex') })).nodeEnv).to.equal('production');
  });

  it('refuses a secret shorter than 32 bytes, counting bytes rather than characters', () => {
    const problems = problemsOf(production({ SESSION_SECRET: 'kq3VZp9Xw2LrT8sYb5NcHj4FmD7aGe6' })); // 31
    expect(names(problems)).to.deep.equal(['SESSION_SECRET']);
    expect(problems.join('\n')).to.include('32 bytes');
    const accented = 'àáâãäåæçèéêëìíîï'; // 16 characters, 32 bytes
    expect(weakSecretReason(accented)).to.equal(undefined);
    expect(weakSecretReason(accented.slice(1) + 'x')).to.match(/32 bytes/); // 31 bytes
  });

  it('refuses each published example secret, whatever its case', () => {
    const examples = ['a test session secret that is long enough', 'replace-with-32-or-more-random-characters'];
    for (const secret of [...examples, examples[0]!.toUpperCase()]) {
      expect(weakSecretReason(secret), secret).to.equal('is a published example value');
      const problems = problemsOf(production({ SESSION_SECRET: secret }));
      expect(names(problems), secret).to.deep.equal(['SESSION_SECRET']);
      expect(problems.join('\n')).to.include('example');
    }
    // The short ones are refused too, for their length first.
    for (const secret of ['keyboard cat', 'changeme', 'change-me', 'secret', 'your-secret-key', 'supersecret']) {
      expect(weakSecretReason(secret), secret).to.equal('must be at least 32 bytes');
    }
  });

  it('refuses a repetitive secret', () => {
    for (const secret of ['a'.repeat(40), 'ab'.repeat(20), '0123456789'.slice(0, 9).repeat(5)]) {
      expect(weakSecretReason(secret), secret).to.equal('is too repetitive to be random');
      expect(names(problemsOf(production({ SESSION_SECRET: secret }))), secret).to.deep.equal(['SESSION_SECRET']);
    }
  });

  it('refuses SESSION_COOKIE_SECURE=false, naming it', () => {
    for (const value of ['false', '0']) {
      const problems = problemsOf(production({ SESSION_COOKIE_SECURE: value }));
      expect(names(problems), value).to.deep.equal(['SESSION_COOKIE_SECURE']);
    }
    expect(parseEnv(production({ SESSION_COOKIE_SECURE: 'true' })).sessionCookieSecure).to.equal(true);
  });

  it('requires a strong MFA_KEY_SECRET of the API, different from SESSION_SECRET', () => {
    expect(names(problemsOf(production({ MFA_KEY_SECRET: undefined })))).to.deep.equal(['MFA_KEY_SECRET']);
    for (const weak of ['short', 'replace-with-32-or-more-random-characters', 'x'.repeat(40), GOOD_SECRET]) {
      expect(names(problemsOf(production({ MFA_KEY_SECRET: weak }))), weak).to.deep.equal(['MFA_KEY_SECRET']);
    }
    expect(parseEnv(production({})).mfa.keySecret).to.equal(GOOD_KEY);
    // The relay and the command line hold no second-factor secrets.
    expect(parseEnv(production({ MFA_KEY_SECRET: undefined }), 'tool').mfa.keySecret).to.equal(undefined);
  });

  it('leaves development alone: no secret needed, insecure cookies allowed', () => {
    expect(parseEnv({ SESSION_SECRET: 'a'.repeat(40), SESSION_COOKIE_SECURE: 'false' }).sessionCookieSecure).to.equal(false);
  });
});

describe('parseEnv of the hardening variables', () => {
  it('defaults them', () => {
    expect(parseEnv({})).to.deep.include({
      trustProxy: 0,
      allowedOrigins: [],
      bcryptMaxPending: 32,
      loginLimits: {
        account: [
          { points: 5, seconds: 60 },
          { points: 20, seconds: 900 },
          { points: 100, seconds: 3600 },
        ],
        client: [
          { points: 20, seconds: 60 },
          { points: 200, seconds: 3600 },
        ],
      },
    });
  });

  it('reads TRUST_PROXY, and names a bad one', () => {
    expect(parseEnv({ TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    for (const value of ['yes', '-1', '11', '1.5']) {
      expect(names(problemsOf({ TRUST_PROXY: value })), value).to.deep.equal(['TRUST_PROXY']);
    }
  });

  it('reads ALLOWED_ORIGINS as a comma-separated list, and names a bad one', () => {
    const origins = parseEnv({ ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173,' }).allowedOrigins;
    expect(origins).to.deep.equal(['https://app.example.com', 'http://localhost:5173']);
    const bad = ['app.example.com', 'https://app.example.com/', 'https://app.example.com/login', 'ftp://files.example.com', '*'];
    for (const value of bad) {
      expect(names(problemsOf({ ALLOWED_ORIGINS: value })), value).to.deep.equal(['ALLOWED_ORIGINS']);
    }
  });

  it('reads the login limits, and names bad ones', () => {
    const env = parseEnv({ LOGIN_LIMITS_ACCOUNT: '5/60,100/3600', LOGIN_LIMITS_CLIENT: '50/60' });
    expect(env.loginLimits).to.deep.equal({
      account: [
        { points: 5, seconds: 60 },
        { points: 100, seconds: 3600 },
      ],
      client: [{ points: 50, seconds: 60 }],
    });
    expect(names(problemsOf({ LOGIN_LIMITS_ACCOUNT: 'junk' }))).to.deep.equal(['LOGIN_LIMITS_ACCOUNT']);
    expect(names(problemsOf({ LOGIN_LIMITS_CLIENT: '5/0' }))).to.deep.equal(['LOGIN_LIMITS_CLIENT']);
  });

  it('reads BCRYPT_MAX_PENDING, and names a bad one', () => {
    expect(parseEnv({ BCRYPT_MAX_PENDING: '4' }).bcryptMaxPending).to.equal(4);
    expect(names(problemsOf({ BCRYPT_MAX_PENDING: '0' }))).to.deep.equal(['BCRYPT_MAX_PENDING']);
  });
});
