import { expect } from 'chai';
import { afterWorkerExit, auditPurgeInApi, START_FAILED_EXIT_CODE, workerCount, workerEnv } from '../../../src/config/cluster.js';
import { parseEnv } from '../../../src/config/env.js';

const MYSQL = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/authsvc' };

describe('cluster plan', () => {
  it('runs one worker per core on MySQL, one on the embedded SQLite default, and WEB_CONCURRENCY when given', () => {
    expect(workerCount(parseEnv(MYSQL), 4)).to.equal(4);
    expect(workerCount(parseEnv({}), 4)).to.equal(1);
    expect(workerCount(parseEnv({ WEB_CONCURRENCY: '3' }), 4)).to.equal(3);
    expect(workerCount(parseEnv({ ...MYSQL, WEB_CONCURRENCY: '1' }), 4)).to.equal(1);
    expect(() => parseEnv({ WEB_CONCURRENCY: '0' })).to.throw('WEB_CONCURRENCY');
  });

  it('shares bcrypt threads, the database pool and the bcrypt queue out between the workers', () => {
    const env = parseEnv({ ...MYSQL, BCRYPT_THREADS: '4', DB_POOL_MAX: '10', BCRYPT_MAX_PENDING: '32' });
    const first = workerEnv(env, 2, 1, 's'.repeat(64));
    expect(first).to.include({
      BCRYPT_THREADS: '2',
      DB_POOL_MAX: '5',
      BCRYPT_MAX_PENDING: '16',
      BCRYPT_MAX_PENDING_HASHES: '8',
      WEB_CONCURRENCY: '1',
    });
    // Never below one thread, or a pool too small for a transaction beside a session read.
    expect(workerEnv(parseEnv({ ...MYSQL, BCRYPT_THREADS: '1', DB_POOL_MAX: '2' }), 4, 1, 'x')).to.include({
      BCRYPT_THREADS: '1',
      DB_POOL_MAX: '2',
    });
  });

  it('gives each worker its share of the cores plus one bcrypt thread when BCRYPT_THREADS is not given', () => {
    expect(workerEnv(parseEnv(MYSQL), 2, 1, 'x', 2)).to.include({ BCRYPT_THREADS: '2' });
    expect(workerEnv(parseEnv(MYSQL), 8, 3, 'x', 8)).to.include({ BCRYPT_THREADS: '2' });
    expect(workerEnv(parseEnv({ ...MYSQL, WEB_CONCURRENCY: '2' }), 2, 1, 'x', 8)).to.include({ BCRYPT_THREADS: '5' });
    expect(workerEnv(parseEnv(MYSQL), 3, 1, 'x', 2)).to.include({ BCRYPT_THREADS: '2' });
    // Given, it is the machine's total, shared out as before.
    expect(workerEnv(parseEnv({ ...MYSQL, BCRYPT_THREADS: '2' }), 2, 1, 'x', 2)).to.include({ BCRYPT_THREADS: '1' });
  });

  it('gives every worker the same session secret, and the relay and start-up admin to worker 1 only', () => {
    const env = parseEnv({ ...MYSQL, ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'start-up admin password' });
    const [one, two] = [workerEnv(env, 2, 1, 'secret'), workerEnv(env, 2, 2, 'secret')];
    expect(one.SESSION_SECRET).to.equal('secret');
    expect(two.SESSION_SECRET).to.equal('secret');
    expect(one).to.not.have.property('OUTBOX_RELAY_IN_PROCESS');
    expect(two).to.include({ OUTBOX_RELAY_IN_PROCESS: 'false' });
    // undefined removes the variable from the worker's environment.
    expect(two).to.have.property('ADMIN_USERNAME', undefined);
    expect(two).to.have.property('ADMIN_PASSWORD', undefined);
  });

  it('purges the audit trail in worker 1 only when no broker is set, and leaves it to the relay when one is', () => {
    const worker = (env: Record<string, string>, index: number) =>
      parseEnv(
        Object.fromEntries(
          Object.entries({ ...env, ...workerEnv(parseEnv(env), 2, index, 's'.repeat(64)) }).filter(([, v]) => v !== undefined),
        ),
      );
    expect(auditPurgeInApi(worker(MYSQL, 1))).to.equal(true);
    expect(auditPurgeInApi(worker(MYSQL, 2))).to.equal(false);
    const kafka = { ...MYSQL, KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(auditPurgeInApi(worker(kafka, 1))).to.equal(false);
    expect(auditPurgeInApi(worker(kafka, 2))).to.equal(false);
    expect(auditPurgeInApi(parseEnv({}))).to.equal(true);
  });
});

describe('afterWorkerExit: what the primary does when a worker exits', () => {
  it('starts another in place of a worker that was serving and died', () => {
    expect(afterWorkerExit(1, true, false)).to.equal('restart');
    expect(afterWorkerExit(null, true, false)).to.equal('restart'); // killed by a signal
  });

  it('stops the service when a worker that listened says its start failed, rather than starting one a second for ever', () => {
    expect(afterWorkerExit(START_FAILED_EXIT_CODE, true, false)).to.equal('stop');
  });

  it('does nothing while stopping, or for a worker that never listened (the start gives up on its own)', () => {
    expect(afterWorkerExit(START_FAILED_EXIT_CODE, true, true)).to.equal('nothing');
    expect(afterWorkerExit(1, true, true)).to.equal('nothing');
    expect(afterWorkerExit(START_FAILED_EXIT_CODE, false, false)).to.equal('nothing');
  });
});
