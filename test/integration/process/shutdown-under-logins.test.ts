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
  /** Waiting clients that got no answer, by the request id they sent. */
  const failures = new Map<string, string>();

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
    const post = (path: string, body: unknown, signal: AbortSignal, requestId?: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(requestId && { 'x-request-id': requestId }) },
        body: JSON.stringify(body),
        signal,
      });
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
    const waiting = Array.from({ length: WAITING }, (_, i) =>
      post('/login', { username, password: PASSWORD }, AbortSignal.timeout(30_000), `waiting-${i}`).then(
        async (res) => {
          statuses.push(res.status);
          await res.arrayBuffer();
        },
        (err: unknown) => void failures.set(`waiting-${i}`, String(err)),
      ),
    );
    // Every login received (on a loaded machine a connection may still be waiting to be accepted: see below),
    // most still waiting for the hashing thread, their clients gone.
    await sleep(500);
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
    // Nothing was cut at the shutdown timeout: every handler finished, so a request the log does not name was
    // never taken in.
    expect(service.lines.filter((l) => /at the shutdown timeout/.test(String(l.msg)))).to.deep.equal([]);
  });

  it('logs no error: no handler loses its hashing thread', () => {
    const errors = service.lines.filter((l) => (l.level as number) >= 50);
    expect(errors.map((l) => `${l.msg} ${JSON.stringify(l.err ?? '')}`)).to.deep.equal([]);
  });

  it('answers the clients still waiting, none with a 5xx: no request it took in is cut off', () => {
    // A connection the server had not accepted when it stopped listening fails without a request: that one
    // the service never handled (no request log line under its id), and only that one may fail.
    const handled = new Set(service.lines.filter((l) => l.msg === 'request').map((l) => l.reqId as string));
    const cut = [...failures].filter(([id]) => handled.has(id));
    expect(cut, 'handled, yet the client got no answer').to.deep.equal([]);
    expect(statuses.length, `answered ${statuses.length} of ${WAITING}; ${[...failures.values()].join(', ')}`).to.be.greaterThan(0);
    expect(statuses.length + failures.size).to.equal(WAITING);
    expect(statuses.filter((s) => s >= 500)).to.deep.equal([]);
  });
});
