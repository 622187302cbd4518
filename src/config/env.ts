import { resolve } from 'node:path';
import { z } from 'zod';

/** The service's configuration, read from the environment once, at start-up. */
export interface Env {
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
  kafka: { brokers: string[]; clientId: string; topic: string; eventSource: string } | undefined;
  outbox: {
    /** Run the relay inside the service (true), or only as `npm run relay` (false). */
    relayInProcess: boolean;
    pollIntervalMs: number;
    batchSize: number;
    retentionMs: number;
  };
}

const bool = z.enum(['true', 'false', '1', '0'], 'must be true or false').transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

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
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
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
    .transform((v) => v.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be a comma-separated list of host:port')).min(1))
    .optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('authsvc'),
  KAFKA_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default('user-events'),
  KAFKA_EVENT_SOURCE: z.string().min(1).default('/authsvc'),
  OUTBOX_RELAY_IN_PROCESS: bool.default(true),
  OUTBOX_POLL_INTERVAL_MS: int(10, 3_600_000).default(500),
  OUTBOX_BATCH_SIZE: int(1, 10_000).default(500),
  OUTBOX_RETENTION_HOURS: int(0, 24 * 365).default(7 * 24),
});

export class InvalidEnvironment extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironment';
  }
}

/** Parses and checks every variable, and reports all the bad ones at once, each by name. */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  // An empty variable counts as unset, as in most shells' `VAR=` idiom.
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Rules across variables read the raw values, so they are reported together with any malformed variable.
  const production = (given.NODE_ENV ?? 'development') === 'production';
  if (production && !given.SESSION_SECRET) problems.push('SESSION_SECRET: is required when NODE_ENV=production');
  if (Boolean(given.ADMIN_USERNAME) !== Boolean(given.ADMIN_PASSWORD)) {
    problems.push('ADMIN_USERNAME, ADMIN_PASSWORD: set both or neither');
  }
  if (parsed.success && parsed.data.SESSION_IDLE_TIMEOUT_SECONDS > parsed.data.SESSION_ABSOLUTE_TIMEOUT_SECONDS) {
    problems.push('SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_ABSOLUTE_TIMEOUT_SECONDS');
  }
  if (!parsed.success || problems.length) throw new InvalidEnvironment(problems);
  const e = parsed.data;

  return {
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
      ? { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, topic: e.KAFKA_TOPIC, eventSource: e.KAFKA_EVENT_SOURCE }
      : undefined,
    outbox: {
      relayInProcess: e.OUTBOX_RELAY_IN_PROCESS,
      pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionMs: e.OUTBOX_RETENTION_HOURS * 3_600_000,
    },
  };
}
