// Mocha root hooks: suites that could not find a server say so loudly at the end of the run, and the Kafka
// brokers the run started are stopped (their own process exit handler kills them if the run dies instead).
import { running } from './spawn-process.js';
import { stopRunBrokers } from './test-kafka.js';

/** What was not run and why, one line each: a suite's (or a test's) full title and the reason in brackets. */
export const skipped: string[] = [];

/**
 * For a suite's `before` hook or a test: not run because this machine lacks `what` (listed at the end of the run),
 * or a failure when REQUIRE_INTEGRATION=1.
 */
export function notRunWithout(ctx: Mocha.Context, what: string): never {
  const runnable = ctx.test;
  const inHook = runnable !== undefined && /^"(before|after) (all|each)" hook/.test(runnable.title); // then it names its suite
  const title = (inHook ? runnable.parent?.fullTitle() : runnable?.fullTitle()) ?? 'a suite';
  if (process.env.REQUIRE_INTEGRATION === '1') throw new Error(`${title}: REQUIRE_INTEGRATION=1 but ${what}`);
  skipped.push(`${title} (${what})`);
  return ctx.skip();
}

/** Suites that run on one database per run and ran on SQLite, as a plain `npm test` without TEST_DATABASE_URL does. */
export const onSqliteOnly = new Set<string>();

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopRunBrokers();
    await stopLeftProcesses();
    reportLeftRunning();
    const line = '!'.repeat(78);
    if (onSqliteOnly.size > 0) {
      console.warn(
        `\n  ${onSqliteOnly.size} suites (HTTP, security, operations) ran on the embedded SQLite database only; TEST_DATABASE_URL runs them on MySQL.`,
      );
    }
    if (skipped.length === 0) return;
    console.warn(`\n${line}\n  NOT RUN (${skipped.length}): suites and tests that need what this machine lacks:`);
    for (const reason of skipped) console.warn(`   - ${reason}`);
    console.warn(
      `  Set TEST_DATABASE_URL (or run Docker) for MySQL, install chromium, to run them; REQUIRE_INTEGRATION=1 makes this a failure.\n${line}\n`,
    );
  },
};

/** A process a suite started with spawnProcess and did not stop: named, so the leak is fixed where it starts, and killed. */
async function stopLeftProcesses(): Promise<void> {
  for (const left of [...running]) {
    console.warn(`\n  Still running when the tests ended (killed now): ${left.child.spawnargs.slice(3).join(' ')}`);
    await left.stop();
  }
}

/**
 * The run ends with mocha's `exit` option, so a handle a suite forgot (a server, a socket, a timer) cannot keep
 * the process alive for ever; it is named here instead, so the leak is seen and fixed where it starts.
 */
function reportLeftRunning(): void {
  const ordinary = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback', 'Timeout', 'Immediate', 'ProcessWrap', 'SignalWrap']);
  const left = process.getActiveResourcesInfo().filter((kind) => !ordinary.has(kind));
  if (left.length > 0) console.warn(`\n  Still open when the tests ended (closed by mocha's exit): ${left.join(', ')}`);
}
