import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import axe from 'axe-core';
import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { createLogger } from '../../src/adapters/logging/logger.js';
import { CreateUser } from '../../src/application/accounts/create-user.js';
import { MailRelay } from '../../src/application/email/relay-mail.js';
import { Clock } from '../../src/application/ports.js';
import { buildContainer } from '../../src/config/container.js';
import { wireApp } from '../../src/config/api.js';
import { closeAll, closeServer } from '../support/close-all.js';
import { testEnv } from '../support/test-app.js';
import { testBrowser, type TestBrowser } from '../support/test-browser.js';
import { onSqlite } from '../support/test-database.js';
import { testSmtp, type TestSmtp } from '../support/test-smtp.js';

export const SCREENSHOTS = 'test-results/screenshots';
export const PASSWORD = 'correct horse battery';

/** The service's time: the real time, plus whatever the test moved it on by (to age a sign-in, or pass a TOTP step). */
export class RunningClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
  /** Back to the real time: each test starts there. */
  reset(): void {
    this.offsetMs = 0;
  }
}

export interface UiSuite {
  /** http://localhost:<port>: the service's PUBLIC_URL, so passkeys (a host name as relying party) and mailed links work. */
  base: string;
  db: Knex;
  container: Container;
  clock: RunningClock;
  /** The SMTP server the service sends its mail to. */
  smtp: TestSmtp;
  /** The first person's browser profile; its cookies are cleared before each test. */
  context: BrowserContext;
  /** Another person's (or device's) browser profile, sharing no cookies with the first; closed after the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A new tab (in `context` unless told), failing the test on any Content-Security-Policy violation or script error in it. */
  newPage(context?: BrowserContext): Promise<Page>;
}

/**
 * The service in-process on the embedded SQLite database, on a random port, with the built UI, its mail going to a
 * test SMTP server, and one headless Chromium. Without chromium the suite is skipped loudly, or fails under
 * REQUIRE_INTEGRATION=1. Whatever a test leaves open (pages, contexts) is closed after it, and everything the suite
 * started is closed after the suite, even when a test or another closing step failed.
 */
export function uiSuite(): UiSuite {
  const suite = {} as UiSuite;
  let browser: TestBrowser | undefined;
  let server: Server | undefined;
  let relay: MailRelay | undefined;
  let dispose: (() => Promise<void>) | undefined;
  const extraContexts: BrowserContext[] = [];
  const problems: string[] = [];

  before(async function () {
    this.timeout(300_000); // a first UI build on a busy machine
    browser = await testBrowser(this, { viewport: { width: 1100, height: 900 } });
    suite.context = browser.context;
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs', '--ui-only', '--quiet'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('building the web UI failed');

    const opened = await onSqlite(this);
    dispose = opened.dispose;
    suite.db = opened.db;
    suite.smtp = await testSmtp();
    // The port first: PUBLIC_URL names it.
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(0, '127.0.0.1', resolve));
    suite.base = `http://localhost:${(server.address() as AddressInfo).port}`;
    const env = testEnv({
      PUBLIC_URL: suite.base,
      MFA_KEY_SECRET: 'a test key for second-factor secrets, 32+ bytes',
      SMTP_URL: suite.smtp.url,
      MAIL_POLL_INTERVAL_MS: '20',
      MAIL_RETRY_BASE_MS: '100',
      MAIL_RETRY_MAX_MS: '400',
      FORGOT_LIMITS_ACCOUNT: '1000/60',
      FORGOT_LIMITS_CLIENT: '1000/60',
      TOKEN_LIMITS_CLIENT: '1000/60',
      EMAIL_RESEND_LIMITS: '1000/60',
    });
    const log = createLogger(env.logLevel);
    const container = buildContainer(env, opened.db, log);
    // The one Clock object the container holds is moved, rather than a new one bound: parts of the wiring (the
    // mail relay) took it when the container was built, and every part must see the same time.
    suite.clock = new RunningClock();
    container.get<Clock>(Clock).now = () => suite.clock.now();
    suite.container = container;
    const callback = wireApp(env, container, log, ['a test session secret that is long enough']).callback();
    handler = (req, res) => void callback(req, res);
    relay = container.get(MailRelay);
    relay.start();

    suite.newContext = async (options) => {
      const context = await browser!.newContext(options);
      extraContexts.push(context);
      return context;
    };
    suite.newPage = async (context = suite.context) => {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' && !/status of 40\d/.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      return page;
    };
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  beforeEach(async () => {
    problems.length = 0;
    suite.clock?.reset();
    await suite.context?.clearCookies();
  });

  afterEach(async () => {
    await closeAll([
      ...(suite.context?.pages() ?? []).map((page) => () => page.close()),
      ...extraContexts.splice(0).map((context) => () => context.close()),
    ]);
    // Console errors are CSP violations or script errors; failed requests (the API's 4xx) are expected.
    expect(problems, 'console errors in the page').to.deep.equal([]);
  });

  after(async function () {
    this.timeout(60_000);
    await closeAll([() => browser?.close(), () => relay?.stop(), () => closeServer(server), () => suite.smtp?.stop(), () => dispose?.()]);
  });

  return suite;
}

export async function createAdmin(suite: UiSuite, username: string): Promise<void> {
  await suite.container.get(CreateUser).execute({ username, password: PASSWORD, role: 'admin' }, 'system');
}

export async function createUser(suite: UiSuite, username: string): Promise<string> {
  return (await suite.container.get(CreateUser).execute({ username, password: PASSWORD }, 'system')).id;
}

interface AxeViolation {
  id: string;
  impact?: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern, rather
 * than injected as an inline script, which it would rightly refuse) and fails on serious or critical violations.
 */
export async function expectAccessible(page: Page): Promise<void> {
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(axe.source);
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))',
  );
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `accessibility violations on ${page.url()}`).to.deep.equal([]);
}

/** A full-page screenshot for a reviewer, under test-results/screenshots/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Accessibility checked and a screenshot taken: what every page visited by the tests goes through. */
export async function review(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  await screenshot(page, name);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(16).slice(2, 10)}`;
}

/** Signs in with a password on the sign-in page and waits for the account page (an account with no second factor). */
export async function signIn(suite: UiSuite, page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${suite.base}/ui/sign-in`);
  await passwordStep(page, username, password);
  await page.waitForURL('**/ui/account');
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
}

/** Fills and sends the sign-in page's password form. */
export async function passwordStep(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel(/^Username/).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs out with the main navigation's button and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/ui/sign-in');
  await page.getByText('You have signed out.').waitFor();
}
