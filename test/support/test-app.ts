import type { Knex } from 'knex';
import type Koa from 'koa';
import { createLogger } from '../../src/adapters/logging/logger.js';
import { buildContainer } from '../../src/config/container.js';
import { parseEnv, type Env } from '../../src/config/env.js';
import { wireApp } from '../../src/config/api.js';

/**
 * The production wiring over a test database, with cheap bcrypt, no log output, and login and registration limits far above
 * what a test does (the throttling tests set their own).
 */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return parseEnv({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    LOGIN_LIMITS_ACCOUNT: '1000/60',
    LOGIN_LIMITS_CLIENT: '10000/60',
    REGISTER_LIMITS_CLIENT: '100000/60',
    BCRYPT_THREADS: '1', // one per app: the tests build many
    PASSWORD_FORGOT_MIN_MS: '0', // the enumeration tests set the floor they measure
    ...overrides,
  });
}

export function testApp(db: Knex, env: Env = testEnv()): { app: Koa; container: ReturnType<typeof buildContainer> } {
  const log = createLogger(env.logLevel);
  const container = buildContainer(env, db, log);
  return { app: wireApp(env, container, log, ['a test session secret that is long enough']), container };
}
