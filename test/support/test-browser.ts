import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { skipped } from './hooks.js';

/** Debian's Chromium (`apt-get install chromium`); never a browser downloaded by a tool. */
export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile, for a suite's `before` hook. Without Chromium the suite is skipped
 * loudly, or failed when REQUIRE_INTEGRATION=1.
 */
export async function testBrowser(ctx: Mocha.Context): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    const title = ctx.test?.parent?.fullTitle() ?? 'a browser suite';
    if (process.env.REQUIRE_INTEGRATION === '1') throw new Error(`${title}: REQUIRE_INTEGRATION=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    skipped.push(`${title} (no Chromium at ${CHROMIUM})`);
    ctx.skip();
  }
  const profile = await mkdtemp(join(tmpdir(), 'authsvc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
