import { resolve } from 'node:path';
import { z } from 'zod';
import { bool, int, limits } from './env-fields.js';
import { defaultHashShare } from '../adapters/crypto/bounded-password-hasher.js';
import { parseLimits, type Limit, type LoginLimits } from '../adapters/throttling/limits.js';
import { tokenEnv, tokenVariables, type TokenEnv } from './env-tokens.js';
import { emailEnv, emailShape, type EmailEnv } from './env/email.js';

/** Secrets seen in examples and tutorials: an attacker tries them first. */
const KNOWN_EXAMPLE_SECRETS = new Set([
  'keyboard cat',
  'changeme',
  'change-me',
  'secret',
  'your-secret-key',
  'supersecret',
  'a test session secret that is long enough',
  'replace-with-32-or-more-random-characters',
]);

/** Why a session secret is not fit for production, or undefined when it is. */
export function weakSecretReason(secret: string): string | undefined {
  if (Buffer.byteLength(secret, 'utf8') < 32) return 'must be at least 32 bytes';
  if (KNOWN_EXAMPLE_SECRETS.has(secret.toLowerCase())) return 'is a published example value';
  if (new Set(secret).size < 10) return 'is too repetitive to be random';
  return undefined;
}

/** The service's configuration, read from the environment once, at start-up. */
export interface Env extends TokenEnv {
  nodeEnv: string;
  port: number;
  host: string;
  /** MySQL URL; undefined selects the embedded SQLite file. */
  databaseUrl: string | undefined;
  sqliteFile: string;
  dbPoolMax: number;
  /** undefined outside production: a random secret is made for this process. */
  sessionSecret: string | undefined;
  sessionCookieSecure: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  bcryptCost: number;
  admin: { username: string; password: string } | undefined;
  logLevel: string;
  problemTypeBase: string;
  /** undefined: no broker, events stay in the outbox. */
  kafka:
    | {
        brokers: string[];
        clientId: string;
        topic: string;
        eventSource: string;
        /** The producer is idempotent (the broker drops copies written by its retries). */
        idempotent: boolean;
        /** The relay creates the topic when it is missing; undefined: it must exist. */
        createTopic: { partitions: number; replicationFactor: number | undefined } | undefined;
      }
    | undefined;
  /** How many proxies in front of the service to trust for X-Forwarded-For (0: use the socket's address). */
  trustProxy: number;
  /** Browser origins of trusted front ends: CORS with credentials, and exempt from the cross-site check. */
  allowedOrigins: string[];
  loginLimits: LoginLimits;
  /** Registrations per client address (admins creating accounts are not counted). */
  registerLimits: Limit[];
  /** Password hashes running or waiting at once before requests are refused with 503. */
  bcryptMaxPending: number;
  /** Of those, how many may be new hashes (registrations, password changes): the rest are kept for logins. */
  bcryptMaxPendingHashes: number;
  /** Node's HTTP server timeouts (0 turns one off). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Worker threads that run bcrypt; undefined: one per core, and in a cluster each worker's share plus one. */
  bcryptThreads: number | undefined;
  /** How long a shutdown waits for requests in flight. */
  shutdownTimeoutMs: number;
  /** Worker processes `npm start` runs (node:cluster); undefined: one per core on MySQL, one on SQLite. */
  webConcurrency: number | undefined;
  logFormat: 'json' | 'pretty';
  outbox: {
    /** Run the relay inside the service (true), or only as `npm run relay` (false). */
    relayInProcess: boolean;
    pollIntervalMs: number;
    batchSize: number;
    retentionMs: number;
  };
  audit: {
    /** How long audit entries are kept. */
    retentionMs: number;
    /** false only for the benchmark's comparison (the service warns at start-up). */
    enabled: boolean;
  };
  mfa: {
    /** undefined outside production: a random key is made for this process. */
    keySecret: string | undefined;
    /** The service's public URL: the WebAuthn relying party (its host name) and the origin passkeys answer from. */
    publicUrl: string;
    reauthWindowMs: number;
    requiredForAdmins: boolean;
  };
  email: EmailEnv;
}

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .url()
    .refine((u) => /^mysql2?:\/\//.test(u), 'must be a mysql:// URL')
    .optional(),
  SQLITE_FILE: z.string().min(1).default('./data/authsvc.sqlite'),
  DB_POOL_MAX: int(1, 1000).default(10),
  SESSION_SECRET: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  SESSION_COOKIE_SECURE: bool.optional(),
  SESSION_IDLE_TIMEOUT_SECONDS: int(60, 30 * 86_400).default(30 * 60),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: int(60, 365 * 86_400).default(12 * 3600),
  BCRYPT_COST: int(4, 20).default(12),
  ADMIN_USERNAME: z.string().min(1).optional(),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROBLEM_TYPE_BASE: z.string().min(1).default('/problems'),
  KAFKA_BROKERS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be a comma-separated list of host:port')).min(1))
    .optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('authsvc'),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name')
    .default('user-events'),
  KAFKA_EVENT_SOURCE: z.string().min(1).default('/authsvc'),
  KAFKA_IDEMPOTENT: bool.default(true),
  KAFKA_CREATE_TOPIC: bool.default(false),
  KAFKA_TOPIC_PARTITIONS: int(1, 10_000).optional(),
  KAFKA_TOPIC_REPLICATION_FACTOR: int(1, 32).optional(),
  TRUST_PROXY: int(0, 10).default(0),
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins like https://app.example.com (no path)')))
    .default([]),
  // Per account: 5 a minute, 20 in 15 minutes, 100 an hour (ASVS 2.2.1: at most 100 failed attempts an hour).
  LOGIN_LIMITS_ACCOUNT: limits.default(parseLimits('5/60,20/900,100/3600')),
  // Per client address, across accounts: generous enough for an office behind one NAT address.
  LOGIN_LIMITS_CLIENT: limits.default(parseLimits('20/60,200/3600')),
  // Per client address: a person registers once; a form that fails a few times still fits.
  REGISTER_LIMITS_CLIENT: limits.default(parseLimits('10/60,100/86400')),
  BCRYPT_MAX_PENDING: int(1, 10_000).default(32),
  BCRYPT_MAX_PENDING_HASHES: int(1, 10_000).optional(),
  // An API's requests are small: a client that takes longer than this to send its headers or its whole request is
  // cut off, so slow clients cannot hold connections for minutes.
  HTTP_HEADERS_TIMEOUT_MS: int(0, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(0, 600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(0, 600_000).default(5_000),
  BCRYPT_THREADS: int(1, 256).optional(),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  OUTBOX_RELAY_IN_PROCESS: bool.default(true),
  WEB_CONCURRENCY: int(1, 256).optional(),
  OUTBOX_POLL_INTERVAL_MS: int(10, 3_600_000).default(500),
  OUTBOX_BATCH_SIZE: int(1, 10_000).default(500),
  OUTBOX_RETENTION_HOURS: int(0, 24 * 365).default(7 * 24),
  AUDIT_RETENTION_DAYS: int(1, 100 * 365).default(365),
  AUDIT_ENABLED: bool.default(true),
  MFA_KEY_SECRET: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  REAUTH_WINDOW_SECONDS: int(1, 86_400).default(600),
  MFA_REQUIRED_FOR_ADMINS: bool.default(false),
  ...tokenVariables,
  ...emailShape,
});

/** Every variable the service reads, by name (the container files are checked against it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(schema.shape);

export class InvalidEnvironment extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironment';
  }
}

/** Parses and checks every variable, and reports all the bad ones at once, each by name. */
/**
 * What the process is: the API serves sessions; the relay, the command line and the migration runner ('tool')
 * do not, so the production session checks do not apply to them.
 */
export type Purpose = 'api' | 'tool';

export function parseEnv(source: NodeJS.ProcessEnv, purpose: Purpose = 'api'): Env {
  // An empty variable counts as unset, as in most shells' `VAR=` idiom.
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Rules across variables read the raw values, so they are reported together with any malformed variable.
  const production = (given.NODE_ENV ?? 'development') === 'production';
  if (production && purpose === 'api') {
    const weak = given.SESSION_SECRET ? weakSecretReason(given.SESSION_SECRET) : 'is required';
    if (weak) problems.push(`SESSION_SECRET: ${weak} when NODE_ENV=production`);
    const weakMfaKey = given.MFA_KEY_SECRET ? weakSecretReason(given.MFA_KEY_SECRET) : 'is required';
    if (weakMfaKey) problems.push(`MFA_KEY_SECRET: ${weakMfaKey} when NODE_ENV=production`);
    else if (given.MFA_KEY_SECRET === given.SESSION_SECRET) problems.push('MFA_KEY_SECRET: must differ from SESSION_SECRET');
    const weakTokenKey = given.TOKEN_KEY_SECRET ? weakSecretReason(given.TOKEN_KEY_SECRET) : 'is required';
    if (weakTokenKey) problems.push(`TOKEN_KEY_SECRET: ${weakTokenKey} when NODE_ENV=production`);
    if (given.SESSION_COOKIE_SECURE === 'false' || given.SESSION_COOKIE_SECURE === '0') {
      problems.push('SESSION_COOKIE_SECURE: cannot be false when NODE_ENV=production (session cookies need TLS)');
    }
  }
  if (Boolean(given.ADMIN_USERNAME) !== Boolean(given.ADMIN_PASSWORD)) {
    problems.push('ADMIN_USERNAME, ADMIN_PASSWORD: set both or neither');
  }
  if (parsed.success && parsed.data.SESSION_IDLE_TIMEOUT_SECONDS > parsed.data.SESSION_ABSOLUTE_TIMEOUT_SECONDS) {
    problems.push('SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_ABSOLUTE_TIMEOUT_SECONDS');
  }
  if (
    parsed.success &&
    parsed.data.BCRYPT_MAX_PENDING_HASHES !== undefined &&
    parsed.data.BCRYPT_MAX_PENDING_HASHES > parsed.data.BCRYPT_MAX_PENDING
  ) {
    problems.push('BCRYPT_MAX_PENDING_HASHES: must not exceed BCRYPT_MAX_PENDING');
  }
  if (
    parsed.success &&
    parsed.data.HTTP_REQUEST_TIMEOUT_MS > 0 &&
    parsed.data.HTTP_HEADERS_TIMEOUT_MS > parsed.data.HTTP_REQUEST_TIMEOUT_MS
  ) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  const createTopic = given.KAFKA_CREATE_TOPIC === 'true' || given.KAFKA_CREATE_TOPIC === '1';
  for (const name of ['KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_REPLICATION_FACTOR']) {
    // Said, not ignored: whoever sets them believes the relay makes the topic.
    if (given[name] && !createTopic) problems.push(`${name}: applies only with KAFKA_CREATE_TOPIC=true`);
  }
  if (!parsed.success || problems.length) throw new InvalidEnvironment(problems);
  const e = parsed.data;

  return {
    ...tokenEnv(e),
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    sqliteFile: resolve(e.SQLITE_FILE),
    dbPoolMax: e.DB_POOL_MAX,
    sessionSecret: e.SESSION_SECRET,
    sessionCookieSecure: e.SESSION_COOKIE_SECURE ?? production,
    sessionIdleMs: e.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
    bcryptCost: e.BCRYPT_COST,
    admin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : undefined,
    logLevel: e.LOG_LEVEL,
    problemTypeBase: e.PROBLEM_TYPE_BASE,
    kafka: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS,
          clientId: e.KAFKA_CLIENT_ID,
          topic: e.KAFKA_TOPIC,
          eventSource: e.KAFKA_EVENT_SOURCE,
          idempotent: e.KAFKA_IDEMPOTENT,
          createTopic: e.KAFKA_CREATE_TOPIC
            ? { partitions: e.KAFKA_TOPIC_PARTITIONS ?? 3, replicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR }
            : undefined,
        }
      : undefined,
    trustProxy: e.TRUST_PROXY,
    allowedOrigins: e.ALLOWED_ORIGINS,
    loginLimits: { account: e.LOGIN_LIMITS_ACCOUNT, client: e.LOGIN_LIMITS_CLIENT },
    registerLimits: e.REGISTER_LIMITS_CLIENT,
    bcryptMaxPending: e.BCRYPT_MAX_PENDING,
    bcryptMaxPendingHashes: e.BCRYPT_MAX_PENDING_HASHES ?? defaultHashShare(e.BCRYPT_MAX_PENDING),
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    bcryptThreads: e.BCRYPT_THREADS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    webConcurrency: e.WEB_CONCURRENCY,
    // Pretty lines for a person at a terminal in development; JSON lines everywhere else.
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' && process.stdout.isTTY ? 'pretty' : 'json'),
    outbox: {
      relayInProcess: e.OUTBOX_RELAY_IN_PROCESS,
      pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionMs: e.OUTBOX_RETENTION_HOURS * 3_600_000,
    },
    audit: { retentionMs: e.AUDIT_RETENTION_DAYS * 86_400_000, enabled: e.AUDIT_ENABLED },
    mfa: {
      keySecret: e.MFA_KEY_SECRET,
      publicUrl: new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).origin,
      reauthWindowMs: e.REAUTH_WINDOW_SECONDS * 1000,
      requiredForAdmins: e.MFA_REQUIRED_FOR_ADMINS,
    },
    email: emailEnv(e, tokenEnv(e).publicUrl),
  };
}

/** For the entry points: the configuration, or the list of what is wrong on stderr and exit status 1. */
export function readEnvOrExit(purpose: Purpose = 'api', source: NodeJS.ProcessEnv = process.env): Env {
  try {
    return parseEnv(source, purpose);
  } catch (err) {
    if (!(err instanceof InvalidEnvironment)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
