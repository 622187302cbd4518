import { expect } from 'chai';
import { parseLimits, type Limit } from '../../../src/adapters/throttling/limits.js';
import { MemoryThrottleRows } from '../../../src/adapters/throttling/throttle-rows.js';
import { WindowedLoginThrottle } from '../../../src/adapters/throttling/windowed-login-throttle.js';
import { TooManyAttempts } from '../../../src/domain/errors.js';

const NO_LIMIT: Limit[] = [{ points: 1_000, seconds: 3600 }];

function throttle(limits: { account?: Limit[]; client?: Limit[] }): WindowedLoginThrottle {
  const { account = NO_LIMIT, client = NO_LIMIT } = limits;
  return new WindowedLoginThrottle({ account, client }, new MemoryThrottleRows());
}

/** The refusal begin() ends with, or undefined when it let the attempt through. */
const refusalOf = (attempt: Promise<void>): Promise<TooManyAttempts | undefined> =>
  attempt.then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof TooManyAttempts) return err;
      throw err;
    },
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WindowedLoginThrottle (memory store)', () => {
  it('gives back an attempt that reached the store after a later one had opened the window', async () => {
    // Parallel attempts reach the database in any order: A reads the clock first, B opens the window first.
    let now = 1_000;
    const rows = new MemoryThrottleRows();
    let releaseA!: () => void;
    const aMayGo = new Promise<void>((resolve) => (releaseA = resolve));
    const reorder = Object.create(rows) as MemoryThrottleRows;
    let first = true;
    reorder.reserve = async (subject, windows, at) => {
      if (first) {
        first = false;
        await aMayGo;
      }
      return rows.reserve(subject, windows, at);
    };
    const limiter = new WindowedLoginThrottle({ account: NO_LIMIT, client: [{ points: 20, seconds: 60 }] }, reorder, () => now);
    const [a, b] = [{ client: '203.0.113.5' }, { client: '203.0.113.5' }];
    const beganA = limiter.begin(a);
    now = 1_001;
    await limiter.begin(b);
    releaseA();
    await beganA;
    now = 1_002;
    await limiter.succeeded(a);
    await limiter.succeeded(b);
    const [window] = await rows.read('client:203.0.113.5', [{ points: 20, ms: 60_000 }], now);
    expect(window!.count, 'both successes gave their place back').to.equal(0);
  });

  it('refuses past each window in turn, with Retry-After from the longest refusing one', async function () {
    this.timeout(5_000);
    const limiter = throttle({
      account: [
        { points: 2, seconds: 1 },
        { points: 3, seconds: 60 },
      ],
    });
    const ada = { account: 'ada' };
    const fail = async () => {
      await limiter.begin(ada);
      await limiter.failed(ada);
    };
    await fail();
    await fail();

    const third = await refusalOf(limiter.begin(ada)); // only the 1-second window is full
    expect(third?.retryAfterSeconds).to.equal(1);
    expect((await refusalOf(limiter.begin(ada)))?.retryAfterSeconds, 'a refusal is not a failure').to.equal(1);

    await sleep(1_100); // the short window has passed; the minute has two failures
    await fail(); // the third failure of the minute
    const later = await refusalOf(limiter.begin(ada));
    expect(later).to.be.instanceOf(TooManyAttempts);
    expect(later!.retryAfterSeconds).to.be.within(57, 60);
  });

  it('gives a whole number of seconds, at least 1, to wait', async () => {
    const limiter = throttle({ account: [{ points: 1, seconds: 1 }] });
    await limiter.begin({ account: 'ada' });
    for (let i = 0; i < 3; i += 1) {
      const refusal = await refusalOf(limiter.begin({ account: 'ada' }));
      expect(refusal).to.be.instanceOf(TooManyAttempts);
      expect(Number.isInteger(refusal!.retryAfterSeconds)).to.equal(true);
      expect(refusal!.retryAfterSeconds).to.be.at.least(1);
    }
  });

  it('counts each account on its own, and a client across accounts', async () => {
    const limiter = throttle({ account: [{ points: 2, seconds: 60 }], client: [{ points: 3, seconds: 60 }] });
    for (const account of ['ada', 'ada', 'bob']) await limiter.begin({ account, client: '203.0.113.7' });
    expect(await refusalOf(limiter.begin({ account: 'ada' }))).to.be.instanceOf(TooManyAttempts);
    expect(await refusalOf(limiter.begin({ account: 'bob' }))).to.equal(undefined);
    // A fourth account from the same address: the client is over its limit, whichever account it names.
    expect(await refusalOf(limiter.begin({ account: 'carol', client: '203.0.113.7' }))).to.be.instanceOf(TooManyAttempts);
    expect(await refusalOf(limiter.begin({ account: 'dave', client: '198.51.100.1' }))).to.equal(undefined);
  });

  it('counts an attempt that names no account against its client only', async () => {
    const limiter = throttle({ account: [{ points: 1, seconds: 60 }], client: [{ points: 2, seconds: 60 }] });
    for (let i = 0; i < 2; i += 1) {
      const attempt = { client: '203.0.113.9' };
      await limiter.begin(attempt);
      await limiter.failed(attempt);
    }
    expect(await refusalOf(limiter.begin({ client: '203.0.113.9' }))).to.be.instanceOf(TooManyAttempts);
    // No account was counted: an account with a limit of one still gets its attempt from elsewhere.
    expect(await refusalOf(limiter.begin({ account: 'ada', client: '198.51.100.1' }))).to.equal(undefined);
  });

  it('on success clears the account’s count', async () => {
    const limiter = throttle({ account: [{ points: 3, seconds: 60 }] });
    for (let i = 0; i < 3; i += 1) await limiter.begin({ account: 'ada' });
    await limiter.succeeded({ account: 'ada' });
    for (let i = 0; i < 3; i += 1) expect(await refusalOf(limiter.begin({ account: 'ada' })), `attempt ${i}`).to.equal(undefined);
    expect(await refusalOf(limiter.begin({ account: 'ada' }))).to.be.instanceOf(TooManyAttempts);
  });

  it('on success gives the client back one attempt only, so a sprayer cannot reset its count with its own account', async () => {
    const client = '203.0.113.7';
    const limiter = throttle({ client: [{ points: 3, seconds: 60 }] });
    for (const account of ['a1', 'a2', 'mine']) await limiter.begin({ account, client });
    await limiter.succeeded({ account: 'mine', client });
    expect(await refusalOf(limiter.begin({ account: 'a3', client }))).to.equal(undefined);
    expect(await refusalOf(limiter.begin({ account: 'a4', client }))).to.be.instanceOf(TooManyAttempts);
  });

  it('lets exactly 5 of 20 parallel attempts through a limit of 5', async () => {
    const limiter = throttle({ account: [{ points: 5, seconds: 60 }] });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => limiter.begin({ account: 'ada' })));
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(5);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refusals).to.have.length(15);
    for (const reason of refusals) expect(reason).to.be.instanceOf(TooManyAttempts);
  });
});

describe('parseLimits', () => {
  it('reads points/seconds pairs, spaces allowed', () => {
    const expected = [
      { points: 5, seconds: 60 },
      { points: 100, seconds: 3600 },
    ];
    expect(parseLimits('5/60,100/3600')).to.deep.equal(expected);
    expect(parseLimits(' 5 / 60 , 100/3600 ')).to.deep.equal(expected);
    expect(parseLimits('20/900')).to.deep.equal([{ points: 20, seconds: 900 }]);
  });

  it('refuses anything else, quoting the bad part', () => {
    const junk = ['', 'junk', '5', '5/', '/60', '0/60', '5/0', '-5/60', '5.5/60', '5/60,', '5/60;100/3600', 'five/60', '5/60/1'];
    for (const text of junk) {
      expect(() => parseLimits(text), JSON.stringify(text)).to.throw(Error, /is not points\/seconds/);
    }
    expect(() => parseLimits('5/60,junk')).to.throw('"junk"');
  });

  it('refuses more than four windows (they are columns of one row) and numbers out of range', () => {
    expect(parseLimits('1/1,2/2,3/3,4/4')).to.have.length(4);
    expect(() => parseLimits('1/1,2/2,3/3,4/4,5/5')).to.throw('at most 4 windows');
    expect(() => parseLimits('5/99999999')).to.throw('out of range');
    expect(() => parseLimits('99999999999/60')).to.throw('out of range');
  });
});

describe('WindowedLoginThrottle: only checked, wrong passwords count (memory store)', () => {
  it('gives back what a refusal reserved: 200 parallel correct logins leave the client at zero', async () => {
    const client = '203.0.113.7';
    const limiter = throttle({ client: [{ points: 20, seconds: 3600 }] });
    const attempt = { account: 'ada', client };
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => limiter.begin(attempt)));
    const passed = results.filter((r) => r.status === 'fulfilled').length;
    expect(passed).to.equal(20);
    for (let i = 0; i < passed; i += 1) await limiter.succeeded(attempt);
    // Twenty more in a row get through: neither the refusals nor the successes stayed counted.
    for (let i = 0; i < 20; i += 1) {
      expect(await refusalOf(limiter.begin(attempt)), `attempt ${i}`).to.equal(undefined);
      await limiter.succeeded(attempt);
    }
  });

  it('a flood of refused guesses does not reach the long window: the account opens when the short one ends', async function () {
    this.timeout(5_000);
    const limiter = throttle({
      account: [
        { points: 5, seconds: 1 },
        { points: 100, seconds: 3600 },
      ],
    });
    const ada = { account: 'ada' };
    let checked = 0;
    for (let i = 0; i < 110; i += 1) {
      if ((await refusalOf(limiter.begin(ada))) === undefined) {
        checked += 1;
        await limiter.failed(ada);
      }
    }
    expect(checked).to.equal(5);
    await sleep(1_100);
    expect(await refusalOf(limiter.begin(ada))).to.equal(undefined);
  });

  it('a check that could not run is given back', async () => {
    const limiter = throttle({ account: [{ points: 1, seconds: 60 }] });
    await limiter.begin({ account: 'ada' });
    await limiter.cancel({ account: 'ada' });
    expect(await refusalOf(limiter.begin({ account: 'ada' }))).to.equal(undefined);
  });

  it('a client over its limit reserves nothing on the accounts it names', async () => {
    const limiter = throttle({ client: [{ points: 1, seconds: 60 }], account: [{ points: 1, seconds: 60 }] });
    await limiter.begin({ account: 'a1', client: 'c' });
    await limiter.failed({ account: 'a1', client: 'c' });
    expect(await refusalOf(limiter.begin({ account: 'victim', client: 'c' }))).to.be.instanceOf(TooManyAttempts);
    // The victim's single attempt is still there for its owner, from another address.
    expect(await refusalOf(limiter.begin({ account: 'victim', client: 'd' }))).to.equal(undefined);
  });
});

describe('WindowedLoginThrottle: named throttles on shared rows (the email flows)', () => {
  const ONE: Limit[] = [{ points: 1, seconds: 60 }];

  it('keeps each name’s counts apart from the login’s and from each other’s', async () => {
    const rows = new MemoryThrottleRows();
    const login = new WindowedLoginThrottle({ account: ONE, client: ONE }, rows);
    const forgot = new WindowedLoginThrottle({ account: ONE, client: ONE }, rows, Date.now, 'forgot');
    const token = new WindowedLoginThrottle({ account: ONE, client: ONE }, rows, Date.now, 'token');
    const attempt = { account: 'alice', client: '203.0.113.9' };
    for (const t of [login, forgot, token]) {
      const a = { ...attempt };
      await t.begin(a);
      await t.failed(a);
    }
    for (const t of [login, forgot, token]) expect(await refusalOf(t.begin({ ...attempt }))).to.be.instanceOf(TooManyAttempts);
    expect(await rows.read('forgot:account:alice', [{ points: 1, ms: 60_000 }], Date.now())).to.have.nested.property('[0].count', 1);
    expect(await rows.read('account:alice', [{ points: 1, ms: 60_000 }], Date.now())).to.have.nested.property('[0].count', 1);
  });

  it('counts nothing for a kind of key it has no limits for', async () => {
    const rows = new MemoryThrottleRows();
    const clientOnly = new WindowedLoginThrottle({ account: [], client: ONE }, rows, Date.now, 'token');
    const attempt = { account: '', client: '203.0.113.9' };
    await clientOnly.begin(attempt);
    await clientOnly.failed(attempt);
    expect(await rows.read('token:account:', [{ points: 1, ms: 60_000 }], Date.now())).to.have.nested.property('[0].count', 0);
    expect(await refusalOf(clientOnly.begin({ account: 'bob', client: '203.0.113.9' }))).to.be.instanceOf(TooManyAttempts);
    expect(await refusalOf(clientOnly.begin({ account: 'bob', client: '198.51.100.1' }))).to.equal(undefined);
  });

  it('clears the named account only', async () => {
    const rows = new MemoryThrottleRows();
    const login = new WindowedLoginThrottle({ account: ONE, client: [] }, rows);
    const resend = new WindowedLoginThrottle({ account: ONE, client: [] }, rows, Date.now, 'resend');
    for (const t of [login, resend]) {
      const a = { account: 'carol' };
      await t.begin(a);
      await t.failed(a);
    }
    await resend.clearAccount('carol');
    expect(await refusalOf(resend.begin({ account: 'carol' }))).to.equal(undefined);
    expect(await refusalOf(login.begin({ account: 'carol' }))).to.be.instanceOf(TooManyAttempts);
  });
});
