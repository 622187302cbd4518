// Mocha root hooks: suites that could not find a server say so loudly at the end of the run, and the Kafka
// brokers the run started are stopped (their own process exit handler kills them if the run dies instead).
import { stopRunBrokers } from './test-kafka.js';

export const skipped: string[] = [];

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopRunBrokers();
    reportLeftRunning();
    if (skipped.length === 0) return;
    const line = '!'.repeat(78);
    console.warn(`\n${line}\n  SKIPPED: integration suites with no server to run against:`);
    for (const reason of skipped) console.warn(`   - ${reason}`);
    console.warn(
      `  Set TEST_DATABASE_URL (or run Docker), install chromium, to run them; REQUIRE_INTEGRATION=1 makes this a failure.\n${line}\n`,
    );
  },
};

/**
 * The run ends with mocha's `exit` option, so a handle a suite forgot (a server, a socket, a timer) cannot keep
 * the process alive for ever; it is named here instead, so the leak is seen and fixed where it starts.
 */
function reportLeftRunning(): void {
  const ordinary = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback', 'Timeout', 'Immediate', 'ProcessWrap', 'SignalWrap']);
  const left = process.getActiveResourcesInfo().filter((kind) => !ordinary.has(kind));
  if (left.length > 0) console.warn(`\n  Still open when the tests ended (closed by mocha's exit): ${left.join(', ')}`);
}
