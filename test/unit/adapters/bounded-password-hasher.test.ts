import { expect } from 'chai';
import { BoundedPasswordHasher } from '../../../src/adapters/crypto/bounded-password-hasher.js';
import type { PasswordHasher } from '../../../src/application/ports.js';
import { Busy } from '../../../src/domain/errors.js';

/** An inner hasher whose every call waits until the test settles it, as a slow bcrypt would. */
class SlowHasher implements PasswordHasher {
  readonly started: string[] = [];
  private readonly waiting: { resolve: (value: never) => void; reject: (err: Error) => void; value: unknown }[] = [];

  hash(plain: string): Promise<string> {
    return this.call(`hash ${plain}`, `slow:${plain}`);
  }
  verify(plain: string, hash: string): Promise<boolean> {
    return this.call(`verify ${plain}`, hash === `slow:${plain}`);
  }
  needsRehash(hash: string): boolean {
    return hash.startsWith('old:');
  }

  finishAll(): void {
    for (const w of this.waiting.splice(0)) w.resolve(w.value as never);
  }
  failAll(error = new Error('bcrypt failed')): void {
    for (const w of this.waiting.splice(0)) w.reject(error);
  }

  private call<T>(what: string, value: T): Promise<T> {
    this.started.push(what);
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: resolve, reject, value }));
  }
}

/** Whether a promise has settled by the time the tasks queued so far have run. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('BoundedPasswordHasher', () => {
  it('refuses a third concurrent call at once with Busy, while the first two complete', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 2);
    const first = hasher.hash('one');
    const second = hasher.verify('two', 'slow:two');
    const third = hasher.hash('three').catch((e: unknown) => e);

    expect(await settledNow(third)).to.equal(true); // at once, not queued behind the first two
    expect(await settledNow(first)).to.equal(false);
    const refusal = await third;
    expect(refusal).to.be.instanceOf(Busy);
    expect((refusal as Busy).retryAfterSeconds).to.be.at.least(1);
    expect(inner.started).to.deep.equal(['hash one', 'verify two']); // the refused call never reached bcrypt
    expect(hasher.depth).to.equal(2);

    inner.finishAll();
    expect(await first).to.equal('slow:one');
    expect(await second).to.equal(true);
    expect(hasher.depth).to.equal(0);
    const fourth = hasher.hash('four');
    inner.finishAll();
    expect(await fourth).to.equal('slow:four');
  });

  it('frees its places when the inner hasher rejects', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 2, 2);
    const calls = [hasher.hash('one'), hasher.verify('two', 'x')];
    expect(hasher.depth).to.equal(2);
    inner.failAll();
    const outcomes = await Promise.all(calls.map((call) => call.catch((e: unknown) => e)));
    for (const outcome of outcomes) expect(outcome).to.have.property('message', 'bcrypt failed');
    expect(hasher.depth).to.equal(0);

    const again = [hasher.hash('three'), hasher.hash('four')];
    expect(await settledNow(again[1]!)).to.equal(false); // not refused: both places are free again
    inner.finishAll();
    expect(await Promise.all(again)).to.deep.equal(['slow:three', 'slow:four']);
  });

  it('does not count a refused call against its places', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 1);
    const running = hasher.hash('one');
    for (let i = 0; i < 5; i += 1) expect(await hasher.hash(`extra ${i}`).catch((e) => e)).to.be.instanceOf(Busy);
    expect(hasher.depth).to.equal(1);
    inner.finishAll();
    await running;
    expect(hasher.depth).to.equal(0);
  });

  it('asks the inner hasher whether a hash needs upgrading, outside the bound', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 1);
    const running = hasher.hash('busy now');
    expect(hasher.needsRehash('old:abc')).to.equal(true);
    expect(hasher.needsRehash('slow:abc')).to.equal(false);
    inner.finishAll();
    await running;
  });

  it('keeps a share of its places for checking passwords: new hashes take at most half by default', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 4);
    const hashes = [hasher.hash('r1'), hasher.hash('r2')];
    // A third new hash is refused although two places are free: they are the logins'.
    expect(await hasher.hash('r3').catch((e) => e)).to.be.instanceOf(Busy);
    const checks = [hasher.verify('a', 'slow:a'), hasher.verify('b', 'x')];
    expect(hasher.depth).to.equal(4);
    expect(await hasher.verify('c', 'x').catch((e) => e)).to.be.instanceOf(Busy);
    inner.finishAll();
    expect(await Promise.all(hashes)).to.deep.equal(['slow:r1', 'slow:r2']);
    expect(await Promise.all(checks)).to.deep.equal([true, false]);
    const later = hasher.hash('r4'); // the share is free again
    inner.finishAll();
    expect(await later).to.equal('slow:r4');
  });

  it('takes the share it is given', async () => {
    const inner = new SlowHasher();
    const hasher = new BoundedPasswordHasher(inner, 4, 1);
    void hasher.hash('r1');
    expect(await hasher.hash('r2').catch((e) => e)).to.be.instanceOf(Busy);
    inner.finishAll();
  });
});
