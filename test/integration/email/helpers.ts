import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type Koa from 'koa';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { MailRelay } from '../../../src/application/email/relay-mail.js';
import { buildContainer } from '../../../src/config/container.js';
import type { Env } from '../../../src/config/env.js';
import { wireApp } from '../../../src/config/api.js';
import { testEnv } from '../../support/test-app.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { linkIn, testSmtp, type TestSmtp } from '../../support/test-smtp.js';
import { PASSWORD, uniqueName } from '../http/helpers.js';

export const PUBLIC_URL = 'https://id.example.test';
export const PRODUCT = 'Example ID';
/** Every suite here runs on both databases the service supports. */
export const DATABASES: Array<[string, OpenDb]> = [
  ['MySQL', onMySql],
  ['SQLite', onSqlite],
];

export interface Wiring {
  app: Koa;
  container: Container;
  env: Env;
}

export interface EmailWorld extends Wiring {
  db: Knex;
  smtp: TestSmtp;
  relay: MailRelay;
  /** Every log line of the app and its mail relay, as written. */
  logText(): string;
  /** The production wiring again on this database and log, with other settings (its relay is not started). */
  rewire(overrides: Record<string, string>): Wiring;
}

/**
 * One database, a real SMTP server, and the production wiring (buildContainer + wireApp) with its mail relay
 * running and sending to that server. Logs at debug level are kept to look for secrets in.
 */
export function emailWorld(open: OpenDb, overrides: Record<string, string> = {}): EmailWorld {
  let logged = '';
  // Registered first, so it runs before the database is closed: the relay polls it until stopped.
  after(async () => {
    await world.relay?.stop();
    await world.smtp?.stop();
  });
  const world = databaseSuite(open, async () => {
    world.smtp = await testSmtp();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString('utf8');
        done();
      },
    });
    const log = createLogger('debug', sink);
    const settings = (more: Record<string, string>) =>
      testEnv({
        LOG_LEVEL: 'debug',
        SMTP_URL: world.smtp.url,
        PUBLIC_URL,
        MAIL_PRODUCT_NAME: PRODUCT,
        MAIL_FROM: 'Example ID <no-reply@id.example.test>',
        MAIL_POLL_INTERVAL_MS: '20',
        MAIL_RETRY_BASE_MS: '100',
        MAIL_RETRY_MAX_MS: '400',
        PASSWORD_FORGOT_MIN_MS: '0',
        FORGOT_LIMITS_ACCOUNT: '1000/60',
        FORGOT_LIMITS_CLIENT: '1000/60',
        TOKEN_LIMITS_CLIENT: '1000/60',
        EMAIL_RESEND_LIMITS: '1000/60',
        ...overrides,
        ...more,
      });
    const wire = (env: Env): Wiring => {
      const container = buildContainer(env, world.db, log);
      return { app: wireApp(env, container, log, ['a test session secret that is long enough']), container, env };
    };
    Object.assign(world, wire(settings({})));
    world.rewire = (more) => wire(settings(more));
    world.logText = () => logged;
    world.relay = world.container.get(MailRelay);
    world.relay.start();
  }) as EmailWorld;
  return world;
}

export interface Person {
  id: string;
  username: string;
  password: string;
  email: string;
}

export const anEmail = (): string => `${uniqueName('mail')}@example.com`;

/** Registers with an address, over HTTP; the verification message is on its way. */
export async function registerWithEmail(app: Koa, email = anEmail()): Promise<Person> {
  const username = uniqueName();
  const res = await request(app.callback()).post('/users').send({ username, password: PASSWORD, email }).expect(201);
  return { id: res.body.id, username, password: PASSWORD, email };
}

/** The n-th message (1-based) of a kind to an address, waited for; kinds are told apart by subject. */
export async function nthMail(world: EmailWorld, to: string, subject: RegExp, n = 1): Promise<ParsedMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = world.smtp.to(to).filter((m) => subject.test(m.subject ?? ''));
    if (found.length >= n) return found[n - 1]!;
    if (Date.now() > deadline)
      throw new Error(
        `no message ${n} matching ${subject} to ${to}; got: ${world.smtp
          .to(to)
          .map((m) => m.subject)
          .join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const VERIFY = /^Confirm your email address/;
export const RESET = /^Reset your/;
export const PASSWORD_CHANGED = /password was changed$/;
export const EMAIL_CHANGED = /email address of your .* was changed$/;

/** Follows a verification message's link through the API. */
export async function followVerification(world: EmailWorld, mail: ParsedMail): Promise<request.Response> {
  const { page, token } = linkIn(mail);
  expect(page).to.equal('verify-email');
  return request(world.app.callback()).post('/email/verify').send({ token });
}

/** A registered account whose address is verified, through the message and the API. */
export async function verifiedPerson(world: EmailWorld): Promise<Person> {
  const person = await registerWithEmail(world.app);
  await followVerification(world, await nthMail(world, person.email, VERIFY)).then((res) =>
    expect(res.status, JSON.stringify(res.body)).to.equal(204),
  );
  return person;
}

/** Waits until the mail queue has nothing left to send. */
export async function queueDrained(db: Knex, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await db('mail_outbox').whereNull('sentAt').whereNull('parkedAt').count({ n: '*' }).first();
    if (Number(waiting?.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${String(waiting?.n)} message(s) still queued`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
