import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { expect } from 'chai';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CreateUser } from '../../src/application/create-user.js';
import { skipped } from '../support/hooks.js';
import { testApp } from '../support/test-app.js';
import { onSqlite } from '../support/test-database.js';

/** Debian's chromium (installed by .ci/run); never a browser downloaded by a tool. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';
export const PASSWORD = 'correct horse battery';

export interface UiSuite {
  /** http://127.0.0.1:<port> of the service under test. */
  base: string;
  db: Knex;
  container: Container;
  context: BrowserContext;
  /** A new tab, failing the test on any Content-Security-Policy violation or script error in it. */
  newPage(): Promise<Page>;
}

/**
 * The service in-process on the embedded SQLite database, on a random port, with the built UI, and one headless
 * Chromium with a profile of its own. Without chromium the suite is skipped loudly, or fails under
 * REQUIRE_INTEGRATION=1.
 */
export function uiSuite(): UiSuite {
  const suite = {} as UiSuite;
  let server: Server | undefined;
  let dispose: (() => Promise<void>) | undefined;
  let profile: string | undefined;
  const problems: string[] = [];

  before(async function () {
    this.timeout(300_000); // a first UI build on a busy machine
    if (!existsSync(CHROMIUM)) {
      const title = this.test?.parent?.fullTitle() ?? 'browser tests';
      if (process.env.REQUIRE_INTEGRATION === '1') {
        throw new Error(`${title}: REQUIRE_INTEGRATION=1 but no browser at ${CHROMIUM}: apt-get install chromium`);
      }
      skipped.push(`${title} (no ${CHROMIUM})`);
      this.skip();
    }
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs', '--ui-only', '--quiet'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('building the web UI failed');

    const opened = await onSqlite(this);
    dispose = opened.dispose;
    suite.db = opened.db;
    const { app, container } = testApp(opened.db);
    suite.container = container;
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server!.once('listening', resolve).once('error', reject));
    suite.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    profile = await mkdtemp(join(tmpdir(), 'authsvc-chromium-'));
    suite.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1100, height: 900 },
    });
    suite.context.setDefaultTimeout(30_000);
    suite.newPage = async () => {
      const page = await suite.context.newPage();
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
    await suite.context?.clearCookies();
  });

  afterEach(async () => {
    for (const page of suite.context?.pages() ?? []) await page.close();
    // Console errors are CSP violations or script errors; failed requests (the API's 4xx) are expected.
    expect(problems, 'console errors in the page').to.deep.equal([]);
  });

  after(async function () {
    this.timeout(60_000);
    await suite.context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await dispose?.();
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
