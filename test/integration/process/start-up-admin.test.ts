import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { InvalidEnvironment, parseEnv } from '../../../src/config/env.js';
import { startService } from '../../../src/config/service.js';
import { logStartFailure } from '../../../src/config/start-failure.js';

/** This process's threads, as Linux counts them. */
const threads = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);

describe('a start-up admin the account rules refuse (ADMIN_USERNAME, ADMIN_PASSWORD)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authsvc-admin-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What startService refuses with, and the fatal line the process logs for it. */
  async function refusal(admin: { ADMIN_USERNAME: string; ADMIN_PASSWORD: string }, file: string) {
    const env = parseEnv({ PORT: '0', HOST: '127.0.0.1', SQLITE_FILE: join(dir, file), BCRYPT_COST: '4', BCRYPT_THREADS: '1', ...admin });
    const lines: Array<{ level: number; msg: string; problems?: string[] }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const log = createLogger('info', sink);
    const threadsBefore = threads();
    const err: unknown = await startService(env, log).then(
      () => expect.fail('the service started'),
      (e: unknown) => e,
    );
    // The bcrypt thread it started and the database it opened are closed again: nothing is left running.
    expect(threads(), 'threads after the refusal').to.be.at.most(threadsBefore);
    logStartFailure(log, err, 'start-up failed');
    await new Promise((resolve) => setImmediate(resolve));
    return { err, fatal: lines.find((l) => l.level === 60) };
  }

  it('names ADMIN_PASSWORD, not the request field `password`', async () => {
    const { err, fatal } = await refusal({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' }, 'password.db');
    expect(err).to.be.instanceOf(InvalidEnvironment);
    expect((err as InvalidEnvironment).problems).to.have.length(1);
    expect((err as InvalidEnvironment).problems[0]).to.match(/^ADMIN_PASSWORD: \S/);
    expect(fatal?.msg)
      .to.contain('ADMIN_PASSWORD: ')
      .and.not.match(/^password:/m);
    expect(fatal?.problems).to.deep.equal((err as InvalidEnvironment).problems);
  });

  it('names ADMIN_USERNAME, not the request field `username`', async () => {
    const { err } = await refusal(
      { ADMIN_USERNAME: 'no spaces allowed', ADMIN_PASSWORD: 'a long and unusual admin passphrase' },
      'username.db',
    );
    expect(err).to.be.instanceOf(InvalidEnvironment);
    expect((err as InvalidEnvironment).problems).to.deep.equal([
      'ADMIN_USERNAME: may contain only letters a-z, digits and the characters . _ -',
    ]);
  });
});
