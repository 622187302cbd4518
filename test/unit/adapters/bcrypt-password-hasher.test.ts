import { getPriority } from 'node:os';
import { expect } from 'chai';
import { BcryptPasswordHasher } from '../../../src/adapters/crypto/bcrypt-password-hasher.js';
import { WORKER_NICE } from '../../../src/adapters/crypto/bcrypt-worker.js';

describe('BcryptPasswordHasher', () => {
  const hasher = new BcryptPasswordHasher(4, 1);
  after(() => hasher.close());

  it('hashes with bcrypt at its cost, and verifies', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).to.match(/^\$2b\$04\$.{53}$/);
    expect(await hasher.verify('correct horse battery', hash)).to.equal(true);
    expect(await hasher.verify('correct horse batterz', hash)).to.equal(false);
  });

  it('hashes on threads of lower priority than the event loop, which keeps its own', async () => {
    const before = getPriority(0); // the test runner's own, normally 0
    expect(await hasher.threadPriority()).to.equal(WORKER_NICE);
    expect(getPriority(0)).to.equal(before);
  });

  it('asks for a new hash when the cost was raised since, or the hash is not bcrypt', async () => {
    const stronger = new BcryptPasswordHasher(5, 1);
    try {
      const old = await hasher.hash('correct horse battery');
      expect(stronger.needsRehash(old)).to.equal(true);
      expect(hasher.needsRehash(old)).to.equal(false);
      expect(hasher.needsRehash('not a hash')).to.equal(true);
    } finally {
      await stronger.close();
    }
  });
});
