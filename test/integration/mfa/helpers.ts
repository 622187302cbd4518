import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { Clock } from '../../../src/application/ports.js';
import { buildContainer } from '../../../src/config/container.js';
import { wireApp } from '../../../src/config/api.js';
import { testEnv } from '../../support/test-app.js';
import { databaseSuite } from '../../support/database-suite.js';
import type { OpenDb } from '../../support/test-database.js';
import { codeForStep } from '../../support/totp.js';
import { credentials, PASSWORD, uniqueName, type Account } from '../http/helpers.js';

/** A clock the test moves: the service's Clock (TOTP steps, half-done sessions, the re-authentication window). */
export class MovableClock {
  constructor(public ms = Date.now()) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface MfaWorld {
  db: Knex;
  app: Koa;
  container: Container;
  clock: MovableClock;
  /**
   * The production wiring again on the same database, with other settings and its own clock; `configure` may
   * replace bindings before the app is wired.
   */
  appWith(
    overrides: Record<string, string>,
    clock?: MovableClock,
    configure?: (container: Container) => void,
  ): { app: Koa; container: Container };
}

function build(
  db: Knex,
  overrides: Record<string, string>,
  clock: MovableClock,
  configure: (container: Container) => void = () => undefined,
): { app: Koa; container: Container } {
  const env = testEnv(overrides);
  const log = createLogger(env.logLevel);
  const container = buildContainer(env, db, log);
  container.rebind<Clock>(Clock).toConstantValue(clock);
  configure(container);
  return { app: wireApp(env, container, log, ['a test session secret that is long enough']), container };
}

/** A migrated database of the given kind and the production app over it, with a movable clock. Call inside `describe`. */
export function mfaWorld(open: OpenDb, overrides: Record<string, string> = {}): MfaWorld {
  const world = databaseSuite(open, (db) => {
    world.clock = new MovableClock();
    Object.assign(world, build(db, { MFA_KEY_SECRET: 'a test key for second-factor secrets, 32+ bytes', ...overrides }, world.clock));
    world.appWith = (more, clock = new MovableClock(world.clock.ms), configure) =>
      build(db, { MFA_KEY_SECRET: 'a test key for second-factor secrets, 32+ bytes', ...overrides, ...more }, clock, configure);
  }) as MfaWorld;
  return world;
}

export { codeForStep } from '../../support/totp.js';

export const stepAt = (clock: MovableClock): number => Math.floor(clock.ms / 30_000);
export const codeAt = (secret: string, clock: MovableClock, drift = 0): string => codeForStep(secret, stepAt(clock) + drift);

// ---- Accounts over HTTP ----

export async function registerUser(app: Koa, username = uniqueName()): Promise<Account> {
  const res = await request(app.callback()).post('/users').send({ username, password: PASSWORD }).expect(201);
  return { id: res.body.id, username, password: PASSWORD };
}

/** A fully logged-in client (the account has no second factor yet). */
export async function loggedIn(app: Koa, account: Account): Promise<request.Agent> {
  const agent = request.agent(app.callback());
  const res = await agent.post('/login').send(credentials(account)).expect(200);
  expect(res.body).to.have.property('id', account.id);
  return agent;
}

/** Enrols and confirms one-time codes for a logged-in client; returns the secret and the recovery codes. */
export async function enrolTotp(agent: request.Agent, clock: MovableClock): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { body } = await agent.post('/mfa/totp').expect(200);
  const confirmed = await agent
    .post('/mfa/totp/confirm')
    .send({ code: codeAt(body.secret, clock) })
    .expect(200);
  // The confirming code's step is used up: move on to the next step, as a person would.
  clock.advance(30);
  return { secret: body.secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/** A client that gave the right password of an account with a second factor: a half-done login. */
export async function halfLoggedIn(app: Koa, account: Account): Promise<request.Agent> {
  const agent = request.agent(app.callback());
  const res = await agent.post('/login').send(credentials(account)).expect(200);
  expect(res.body.mfaRequired, JSON.stringify(res.body)).to.equal(true);
  return agent;
}
