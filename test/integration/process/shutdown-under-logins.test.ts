import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PASSWORD, sleep, startServiceProcess, uniqueName, type ServiceProcess } from '../operations/helpers.js';

const GONE = 30; // logins whose clients hang up before the answer
const WAITING = 5; // logins whose clients wait for it

/**
 * The real process, on SQLite, with one slow hashing thread: SIGTERM comes while a burst of logins is still
 * queued for bcrypt and most of their clients have already hung up. The handlers still awaiting the pool must
 * finish before it closes.
 */
describe('stopping the service under a burst of logins', function () {
  this.timeout(90_000);
  let dir: string;
  let service: ServiceProcess;
  let exitCode: number | null;
  const statuses: number[] = [];
  const failures: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-'));
    service = startServiceProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_FILE: join(dir, 'authsvc.sqlite'),
      BCRYPT_COST: '10',
      BCRYPT_THREADS: '1',
      BCRYPT_MAX_PENDING: '100',
      LOGIN_LIMITS_ACCOUNT: '1000/60',
      LOGIN_LIMITS_CLIENT: '1000000/60',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
    const listening = await service.until((l) => l.msg === 'listening', 60_000);
    const base = `http://127.0.0.1:${(listening.address as { port: number }).port}`;
    const username = uniqueName('burst');
    const post = (path: string, body: unknown, signal: AbortSignal) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
    const created = await post('/users', { username, password: PASSWORD }, AbortSignal.timeout(30_000));
    expect(created.status).to.equal(201);

    const gone = Array.from({ length: GONE }, () => {
      const hangUp = new AbortController();
      setTimeout(() => hangUp.abort(), 50);
      return post('/login', { username, password: PASSWORD }, hangUp.signal).then(
        () => undefined,
        () => undefined,
      );
    });
    const waiting = Array.from({ length: WAITING }, () =>
      post('/login', { username, password: PASSWORD }, AbortSignal.timeout(30_000)).then(
        async (res) => {
          statuses.push(res.status);
          await res.arrayBuffer();
        },
        (err: unknown) => void failures.push(String(err)),
      ),
    );
    await sleep(100); // every login received, most still waiting for the hashing thread, their clients gone
    service.child.kill('SIGTERM');
    exitCode = await Promise.race([service.exited, sleep(30_000).then(() => null)]);
    await Promise.all([...gone, ...waiting]);
  });

  after(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 once the work in flight is done', () => {
    expect(exitCode, service.stderr()).to.equal(0);
    expect(service.lines.map((l) => l.msg)).to.include('stopped');
  });

  it('logs no error: no handler loses its hashing thread', () => {
    const errors = service.lines.filter((l) => (l.level as number) >= 50);
    expect(errors.map((l) => `${l.msg} ${JSON.stringify(l.err ?? '')}`)).to.deep.equal([]);
  });

  it('answers the clients still waiting, none with a 5xx', () => {
    expect(failures).to.deep.equal([]);
    expect(statuses).to.have.length(WAITING);
    expect(statuses.filter((s) => s >= 500)).to.deep.equal([]);
  });
});
