import { expect } from 'chai';
import { InvalidEnvironment, parseEnv } from '../../../src/config/env.js';

/** 32 random characters: long, no published example, not repetitive. */
const SECRET = 'kq3VZp9Xw2LrT8sYb5NcHj4FmD7aGe6U';
const MFA_KEY = 'Hq7uN2cR5vX8zB1eT4yK9mP3sW6aF0dJ';
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
    expect(
      parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: KEY_SECRET })
        .sessionCookieSecure,
    ).to.equal(true);
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
    expect(
      names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: 'short', MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: KEY_SECRET })),
    ).to.deep.equal(['SESSION_SECRET']);
    expect(
      parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: KEY_SECRET }).sessionSecret,
    ).to.equal(SECRET);
  });

  it('reads the second-factor settings: PUBLIC_URL (default http://localhost:PORT), REAUTH_WINDOW_SECONDS, MFA_REQUIRED_FOR_ADMINS', () => {
    expect(parseEnv({}).mfa).to.deep.equal({
      keySecret: undefined,
      publicUrl: 'http://localhost:3000',
      reauthWindowMs: 600_000,
      requiredForAdmins: false,
    });
    expect(parseEnv({ PORT: '8080' }).mfa.publicUrl).to.equal('http://localhost:8080');
    const set = parseEnv({
      PUBLIC_URL: 'https://auth.example.com/',
      REAUTH_WINDOW_SECONDS: '1',
      MFA_REQUIRED_FOR_ADMINS: 'true',
      MFA_KEY_SECRET: MFA_KEY,
    });
    expect(set.mfa).to.deep.equal({
      keySecret: MFA_KEY,
      publicUrl: 'https://auth.example.com',
      reauthWindowMs: 1000,
      requiredForAdmins: true,
    });
    for (const url of ['auth.example.com', 'https://auth.example.com/login', 'ftp://auth.example.com']) {
      expect(names(problemsOf({ PUBLIC_URL: url })), url).to.deep.equal(['PUBLIC_URL']);
    }
    expect(names(problemsOf({ REAUTH_WINDOW_SECONDS: '0' }))).to.deep.equal(['REAUTH_WINDOW_SECONDS']);
    expect(names(problemsOf({ MFA_REQUIRED_FOR_ADMINS: 'yes' }))).to.deep.equal(['MFA_REQUIRED_FOR_ADMINS']);
    expect(names(problemsOf({ MFA_KEY_SECRET: 'too short' }))).to.deep.equal(['MFA_KEY_SECRET']);
  });

  it('requires TOKEN_KEY_SECRET, at least 32 bytes and not weak, in production only', () => {
    expect(names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY }))).to.deep.equal([
      'TOKEN_KEY_SECRET',
    ]);
    expect(
      names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: 'changeme' })),
    ).to.deep.equal(['TOKEN_KEY_SECRET']);
    expect(
      names(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: 'a'.repeat(40) })),
    ).to.deep.equal(['TOKEN_KEY_SECRET']);
    expect(
      parseEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET, MFA_KEY_SECRET: MFA_KEY, TOKEN_KEY_SECRET: KEY_SECRET }).tokens.keySecret,
    ).to.equal(KEY_SECRET);
    expect(parseEnv({}).tokens.keySecret).to.equal(undefined);
    expect(names(problemsOf({ TOKEN_KEY_SECRET: 'short' }))).to.deep.equal(['TOKEN_KEY_SECRET']);
  });

  it('reads the token settings, with their defaults and bounds', () => {
    expect(parseEnv({}).publicUrl).to.equal('http://localhost:3000');
    expect(parseEnv({ PORT: '8080' }).tokens).to.deep.include({
      issuer: 'http://localhost:8080',
      audience: 'authsvc',
      ttlSeconds: 300,
      alg: 'ES256',
    });
    expect(parseEnv({}).tokens.rotationMs).to.equal(30 * 86_400_000);
    const env = parseEnv({
      PUBLIC_URL: 'https://auth.example.com/',
      TOKEN_AUDIENCE: 'api',
      TOKEN_ALG: 'EdDSA',
      TOKEN_TTL_SECONDS: '3600',
      TOKEN_KEY_ROTATION_DAYS: '7',
    });
    expect(env.publicUrl).to.equal('https://auth.example.com');
    expect(env.tokens).to.deep.include({
      issuer: 'https://auth.example.com',
      audience: 'api',
      alg: 'EdDSA',
      ttlSeconds: 3600,
      rotationMs: 7 * 86_400_000,
    });
    expect(parseEnv({ TOKEN_ISSUER: 'urn:example:auth' }).tokens.issuer).to.equal('urn:example:auth');
    for (const [name, value] of [
      ['TOKEN_TTL_SECONDS', '0'],
      ['TOKEN_TTL_SECONDS', '3601'],
      ['TOKEN_ALG', 'HS256'],
      ['TOKEN_ALG', 'none'],
      ['TOKEN_KEY_ROTATION_DAYS', '0'],
      ['PUBLIC_URL', 'ftp://x'],
      ['PUBLIC_URL', 'not a url'],
    ] as const) {
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

  describe('Kafka producer and topic', () => {
    const BROKERS = { KAFKA_BROKERS: 'k1:9092,k2:9092' };

    it('uses an idempotent producer and creates no topic by default', () => {
      expect(parseEnv(BROKERS).kafka).to.deep.include({ idempotent: true, createTopic: undefined });
    });

    it('turns idempotence off with KAFKA_IDEMPOTENT=false', () => {
      expect(parseEnv({ ...BROKERS, KAFKA_IDEMPOTENT: 'false' }).kafka!.idempotent).to.equal(false);
    });

    it("creates the topic with 3 partitions and the broker's replication factor when only KAFKA_CREATE_TOPIC is set", () => {
      expect(parseEnv({ ...BROKERS, KAFKA_CREATE_TOPIC: 'true' }).kafka!.createTopic).to.deep.equal({
        partitions: 3,
        replicationFactor: undefined,
      });
    });

    it('reads the partitions and replication factor of the topic to create', () => {
      const env = parseEnv({ ...BROKERS, KAFKA_CREATE_TOPIC: '1', KAFKA_TOPIC_PARTITIONS: '12', KAFKA_TOPIC_REPLICATION_FACTOR: '3' });
      expect(env.kafka!.createTopic).to.deep.equal({ partitions: 12, replicationFactor: 3 });
    });

    it('refuses partitions or a replication factor without KAFKA_CREATE_TOPIC=true, each by name', () => {
      const problems = problemsOf({ ...BROKERS, KAFKA_TOPIC_PARTITIONS: '6', KAFKA_TOPIC_REPLICATION_FACTOR: '3' });
      expect(names(problems)).to.deep.equal(['KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_REPLICATION_FACTOR']);
      expect(problems[0]).to.contain('KAFKA_CREATE_TOPIC=true');
    });

    it('refuses malformed values', () => {
      const problems = problemsOf({
        ...BROKERS,
        KAFKA_CREATE_TOPIC: 'yes',
        KAFKA_IDEMPOTENT: 'maybe',
        KAFKA_TOPIC_PARTITIONS: '0',
        KAFKA_TOPIC_REPLICATION_FACTOR: 'three',
      });
      expect(names(problems).sort()).to.deep.equal(
        ['KAFKA_CREATE_TOPIC', 'KAFKA_IDEMPOTENT', 'KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_REPLICATION_FACTOR'].sort(),
      );
    });
  });
});

describe('parseEnv: registration limits, the bcrypt share of new hashes, HTTP timeouts', () => {
  it('has defaults for each', () => {
    const env = parseEnv({});
    expect(env.registerLimits).to.deep.equal([
      { points: 10, seconds: 60 },
      { points: 100, seconds: 86_400 },
    ]);
    expect(env.bcryptMaxPendingHashes).to.equal(16);
    expect(env.http).to.deep.equal({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
  });

  it('reads them', () => {
    const env = parseEnv({
      REGISTER_LIMITS_CLIENT: '3/60',
      BCRYPT_MAX_PENDING: '10',
      BCRYPT_MAX_PENDING_HASHES: '3',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '0',
    });
    expect(env.registerLimits).to.deep.equal([{ points: 3, seconds: 60 }]);
    expect(env.bcryptMaxPendingHashes).to.equal(3);
    expect(env.http).to.deep.equal({ headersTimeoutMs: 2000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 0 });
    expect(parseEnv({ BCRYPT_MAX_PENDING: '1' }).bcryptMaxPendingHashes).to.equal(1);
  });

  it('refuses malformed limits, a share over the cap, and a headers timeout over the request timeout', () => {
    expect(names(problemsOf({ REGISTER_LIMITS_CLIENT: '10 a minute' }))).to.deep.equal(['REGISTER_LIMITS_CLIENT']);
    expect(names(problemsOf({ BCRYPT_MAX_PENDING: '4', BCRYPT_MAX_PENDING_HASHES: '5' }))).to.deep.equal(['BCRYPT_MAX_PENDING_HASHES']);
    expect(names(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }))).to.deep.equal([
      'HTTP_HEADERS_TIMEOUT_MS',
    ]);
    expect(names(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: 'soon' }))).to.deep.equal(['HTTP_REQUEST_TIMEOUT_MS']);
  });
});
