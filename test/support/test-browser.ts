import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { skipped } from './hooks.js';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run); never a browser downloaded by a tool. */
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
  browser: Browser;
  /** The first context: a profile of its own (cookies, storage), as one person's browser. */
  context: BrowserContext;
  /** Another profile in the same browser, sharing nothing with the others: a second person, or a second device. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Closes every context and the browser (playwright removes the profiles it made); safe to call twice. */
  close(): Promise<void>;
}

/**
 * A headless Chromium, for a suite's `before` hook; the suite's `after` hook calls close(). Without Chromium the
 * suite is skipped loudly, or failed when REQUIRE_INTEGRATION=1. Every context it opens has the given options
 * (a viewport, say) unless told otherwise.
 */
export async function testBrowser(ctx: Mocha.Context, defaults: BrowserContextOptions = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    const title = ctx.test?.parent?.fullTitle() ?? 'a browser suite';
    if (process.env.REQUIRE_INTEGRATION === '1')
      throw new Error(`${title}: REQUIRE_INTEGRATION=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    skipped.push(`${title} (no Chromium at ${CHROMIUM})`);
    ctx.skip();
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ ...defaults, ...options });
    context.setDefaultTimeout(30_000);
    return context;
  };
  let context: BrowserContext;
  try {
    context = await newContext();
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    browser,
    context,
    newContext,
    async close() {
      // Closing the browser closes its contexts and pages too, even when closing one of them failed.
      try {
        for (const c of browser.contexts()) await c.close().catch(() => undefined);
      } finally {
        await browser.close();
      }
    },
  };
}
