import { expect } from 'chai';
import { testEnv } from '../../support/test-app.js';
import { expectProblem, httpSuite, register, uniqueName } from '../http/helpers.js';
import { attempt, counterKeys, expectThrottled, forgetAttempts } from './helpers.js';

const WRONG = 'not the right password';

describe('X-Forwarded-For and the per-client limit', function () {
  const suite = httpSuite();

  beforeEach(() => forgetAttempts(suite.db));

  it('ignores X-Forwarded-For without TRUST_PROXY (the default): rotating it does not escape the limit', async () => {
    const app = suite.appWith(testEnv({ LOGIN_LIMITS_CLIENT: '3/60' }));
    for (let i = 1; i <= 3; i += 1) {
      expectProblem(await attempt(app, uniqueName('spray'), WRONG, `198.51.100.${i}`), 401, 'invalid-credentials');
    }
    expectThrottled(await attempt(app, uniqueName('spray'), WRONG, '198.51.100.4'));
    expectThrottled(await attempt(app, uniqueName('spray'), WRONG, '198.51.100.5, 198.51.100.6'));
    const keys = await counterKeys(suite.db);
    expect(
      keys.filter((k) => k.includes('198.51.100.')),
      'a counter keyed by a spoofed address',
    ).to.be.empty;
    expect(keys.filter((k) => k.startsWith('client:'))).to.have.length(1);
  });

  it('uses the last hop with TRUST_PROXY=1: what the client wrote before it changes nothing', async () => {
    const app = suite.appWith(testEnv({ TRUST_PROXY: '1', LOGIN_LIMITS_CLIENT: '3/60' }));
    const user = await register(app);
    // The client writes whatever it likes first; our proxy appends the address it saw (the last hop).
    for (let i = 1; i <= 3; i += 1) {
      expectProblem(await attempt(app, uniqueName('spray'), WRONG, `10.0.0.${i}, 192.0.2.10`), 401, 'invalid-credentials');
    }
    expectThrottled(await attempt(app, uniqueName('spray'), WRONG, '10.0.0.4, 192.0.2.10'));
    expectThrottled(await attempt(app, user.username, user.password, '192.0.2.10'));
    // Another last hop is another client, not throttled.
    await attempt(app, user.username, user.password, '10.0.0.1, 192.0.2.11').expect(200);

    const keys = await counterKeys(suite.db);
    expect(keys).to.include('client:192.0.2.10');
    expect(
      keys.filter((k) => k.startsWith('client:10.0.0.')),
      'a counter keyed by a client-written hop',
    ).to.be.empty;
  });
});
