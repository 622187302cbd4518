import { expect } from 'chai';
import { InvalidEnvironment, parseEnv } from '../../../src/config/env.js';

/** 32 random characters: long, no published example, not repetitive. */
const SECRET = 'kq3VZp9Xw2LrT8sYb5NcHj4FmD7aGe6U';
const KEY_SECRET = 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT';

function problemsOf(source: NodeJS.ProcessEnv): string[] {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof InvalidEnvironment) return err.problems;
    throw err;
  }
  expect.fail('expected InvalidEnvironment');
}

const names = (problems: string[]) => [...new Set(problems.map((p) => p.split(':')[0]))];

describe('parseEnv', () => {
  it('defaults everything for development', () => {
    const env = parseEnv({});
    expect(env).to.deep.include({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dbPoolMax: 10,
      sessionSecret: undefined,
      sessionCookieSecure: false,
      sessionIdleMs: 30 * 60 * 1000,
      sessionAbsoluteMs: 12 * 60 * 60 * 1000,
      bcryptCost: 12,
      admin: undefined,
      logLevel: 'info',
      problemTypeBase: '/problems',
    });
  });

  it('reads the variables it is given', () => {
    const env = parseEnv({
      PORT: '8080',
      BCRYPT_COST: '4',
      SESSION_IDLE_TIMEOUT_SECONDS: '60',
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: '120',
      DATABASE_URL: 'mysql://u:p@db:3306/auth',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'start-up password',
      SESSION_COOKIE_SECURE: '1',
    });
    expect(env).to.deep.include({
      port: 8080,
      bcryptCost: 4,
      sessionIdleMs: 60_000,
      sessionAbsoluteMs: 120_000,
      databaseUrl: 'mysql://u:p@db:3306/auth',
      admin: { username: 'root', password: 'start-up password' },
      sessionCookieSecure: true,
    });
  });

  it('makes the cookie secure in production, and lets it be insecure only outside production', () => {
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TOKEN_KEY_SECRET: KEY_SECRET }).sessionCookieSecure).to.equal(true);
    // Production no longer accepts SESSION_COOKIE_SECURE=false (see env-production.test.ts): told otherwise outside it.
    expect(parseEnv({ NODE_ENV: 'test', SESSION_SECRET: SECRET, SESSION_COOKIE_SECURE: 'false' }).sessionCookieSecure).to.equal(false);
    expect(parseEnv({ SESSION_COOKIE_SECURE: 'true' }).sessionCookieSecure).to.equal(true);
  });

  it('names every bad variable in one InvalidEnvironment', () => {
    const problems = problemsOf({ PORT: 'abc', BCRYPT_COST: '99', LOG_LEVEL: 'loud', SESSION_COOKIE_SECURE: 'yes' });
    expect(names(problems)).to.include.members(['PORT', 'BCRYPT_COST', 'LOG_LEVEL', 'SESSION_COOKIE_SECURE']);
  });

  it('refuses out-of-range and malformed numbers', () => {
    expect(names(problemsOf({ PORT: '65536' }))).to.deep.equal(['PORT']);
    expect(names(problemsOf({ PORT: '-1' }))).to.deep.equal(['PORT']);
    expect(names(problemsOf({ BCRYPT_COST: '3' }))).to.deep.equal(['BCRYPT_COST']);
    expect(names(problemsOf({ BCRYPT_COST: '12.5' }))).to.deep.equal(['BCRYPT_COST']);
    expect(names(problemsOf({ DB_POOL_MAX: '0' }))).to.deep.equal(['DB_POOL_MAX']);
  });

  it('refuses a DATABASE_URL that is not mysql://', () => {
    expect(names(problemsOf({ DATABASE_URL: 'postgres://db/auth' }))).to.deep.equal(['DATABASE_URL']);
    expect(names(problemsOf({ DATABASE_URL: 'not a url' }))).to.deep.equal(['DATABASE_URL']);
  });

  it('requires SESSION_SECRET, of at least 32 characters, in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).join()).to.include('SESSION_SECRET');
    expect(names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: 'short', TOKEN_KEY_SECRET: KEY_SECRET }))).to.deep.equal(['SESSION_SECRET']);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TOKEN_KEY_SECRET: KEY_SECRET }).sessionSecret).to.equal(SECRET);
  });

  it('requires TOKEN_KEY_SECRET, at least 32 bytes and not weak, in production only', () => {
    expect(names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET }))).to.deep.equal(['TOKEN_KEY_SECRET']);
    expect(names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TOKEN_KEY_SECRET: 'changeme' }))).to.deep.equal(['TOKEN_KEY_SECRET']);
    expect(names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TOKEN_KEY_SECRET: 'a'.repeat(40) }))).to.deep.equal(['TOKEN_KEY_SECRET']);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TOKEN_KEY_SECRET: KEY_SECRET }).tokens.keySecret).to.equal(KEY_SECRET);
    expect(parseEnv({}).tokens.keySecret).to.equal(undefined);
    expect(names(problemsOf({ TOKEN_KEY_SECRET: 'short' }))).to.deep.equal(['TOKEN_KEY_SECRET']);
  });

  it('reads the token settings, with their defaults and bounds', () => {
    expect(parseEnv({}).publicUrl).to.equal('http://localhost:3000');
    expect(parseEnv({ PORT: '8080' }).tokens).to.deep.include({ issuer: 'http://localhost:8080', audience: 'authsvc', ttlSeconds: 300, alg: 'ES256' });
    expect(parseEnv({}).tokens.rotationMs).to.equal(30 * 86_400_000);
    const env = parseEnv({ PUBLIC_URL: 'https://auth.example.com/', TOKEN_AUDIENCE: 'api', TOKEN_ALG: 'EdDSA', TOKEN_TTL_SECONDS: '3600', TOKEN_KEY_ROTATION_DAYS: '7' });
    expect(env.publicUrl).to.equal('https://auth.example.com');
    expect(env.tokens).to.deep.include({ issuer: 'https://auth.example.com', audience: 'api', alg: 'EdDSA', ttlSeconds: 3600, rotationMs: 7 * 86_400_000 });
    expect(parseEnv({ TOKEN_ISSUER: 'urn:example:auth' }).tokens.issuer).to.equal('urn:example:auth');
    for (const [name, value] of [['TOKEN_TTL_SECONDS', '0'], ['TOKEN_TTL_SECONDS', '3601'], ['TOKEN_ALG', 'HS256'], ['TOKEN_ALG', 'none'],
      ['TOKEN_KEY_ROTATION_DAYS', '0'], ['PUBLIC_URL', 'ftp://x'], ['PUBLIC_URL', 'not a url']] as const) {
      expect(names(problemsOf({ [name]: value })), `${name}=${value}`).to.deep.equal([name]);
    }
  });

  it('requires ADMIN_USERNAME and ADMIN_PASSWORD together', () => {
    expect(problemsOf({ ADMIN_USERNAME: 'root' }).join()).to.include('ADMIN_PASSWORD');
    expect(problemsOf({ ADMIN_PASSWORD: 'start-up password' }).join()).to.include('ADMIN_USERNAME');
  });

  it('refuses an idle timeout longer than the absolute one', () => {
    const problems = problemsOf({ SESSION_IDLE_TIMEOUT_SECONDS: '7200', SESSION_ABSOLUTE_TIMEOUT_SECONDS: '3600' });
    expect(problems.join()).to.include('SESSION_IDLE_TIMEOUT_SECONDS');
  });

  describe('empty strings count as unset', () => {
    it('so an empty number takes its default', () => {
      const env = parseEnv({ PORT: '', BCRYPT_COST: '', NODE_ENV: '' });
      expect(env).to.deep.include({ port: 3000, bcryptCost: 12, nodeEnv: 'development' });
    });

    it('so an empty SESSION_SECRET is missing in production', () => {
      expect(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: '' }).join()).to.include('is required');
    });

    it('so an empty ADMIN_PASSWORD is missing', () => {
      expect(problemsOf({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: '' }).join()).to.include('ADMIN_PASSWORD');
      expect(parseEnv({ ADMIN_USERNAME: '', ADMIN_PASSWORD: '' }).admin).to.equal(undefined);
    });
  });

  it('reports a malformed variable and a missing production secret together', () => {
    // "reports all the bad ones at once": fixing PORT must not reveal a second, hidden problem.
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc', ADMIN_USERNAME: 'root' });
    expect(problems.join('\n')).to.include('PORT');
    expect(problems.join('\n')).to.include('SESSION_SECRET');
    expect(problems.join('\n')).to.include('ADMIN_PASSWORD');
  });
});
