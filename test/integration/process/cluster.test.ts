import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { notRunWithout } from '../../support/hooks.js';
import { freshDatabaseOn, type TestMySql } from '../../support/test-database.js';

interface LogLine {
  msg: string;
  pid: number;
  [key: string]: unknown;
}

/** `npm start` from the sources with these variables, its JSON log lines collected. */
function start(env: Record<string, string>): {
  child: ChildProcess;
  lines: LogLine[];
  until(test: (lines: LogLine[]) => boolean): Promise<void>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/config/main.ts'], {
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (buffered += chunk.toString()).split('\n');
    buffered = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as LogLine);
    waiters.splice(0).forEach((wake) => wake());
  });
  const until = (test: (lines: LogLine[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test(lines)) return resolve();
        if (child.exitCode !== null) return reject(new Error(`exited ${child.exitCode}: ${stderr}`));
        waiters.push(check);
      };
      child.once('exit', check);
      check();
    });
  return { child, lines, until };
}

const json = { 'content-type': 'application/json' };

for (const store of ['MySQL', 'SQLite'] as const) {
  describe(`npm start with WEB_CONCURRENCY=2 (${store})`, function () {
    this.timeout(120_000);
    let dir: string;
    let mysql: TestMySql | undefined;
    let service: ReturnType<typeof start>;
    let base: string;

    before(async function () {
      dir = mkdtempSync(join(tmpdir(), 'authsvc-cluster-'));
      const database: Record<string, string> = {};
      if (store === 'MySQL') {
        if (!process.env.TEST_DATABASE_URL) notRunWithout(this, 'no TEST_DATABASE_URL for the MySQL workers');
        mysql = await freshDatabaseOn(process.env.TEST_DATABASE_URL);
        database.DATABASE_URL = mysql.url;
      } else database.SQLITE_FILE = join(dir, 'authsvc.sqlite');
      service = start({ PORT: '0', HOST: '127.0.0.1', WEB_CONCURRENCY: '2', BCRYPT_COST: '4', ...database });
      // Each worker's own "listening" line comes through its own pipe, and may arrive after the primary's.
      await service.until(
        (lines) => lines.some((l) => l.msg === 'all workers listening') && lines.filter((l) => l.msg === 'listening').length >= 2,
      );
      const listening = service.lines.find((l) => l.msg === 'listening')!;
      base = `http://127.0.0.1:${(listening.address as { port: number }).port}`;
    });

    after(async () => {
      if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      await mysql?.dispose();
    });

    it('serves from two worker processes on one port', () => {
      const workers = service.lines.filter((l) => l.msg === 'listening');
      expect(new Set(workers.map((l) => l.pid)).size).to.equal(2);
      expect(new Set(workers.map((l) => (l.address as { port: number }).port)).size).to.equal(1);
    });

    it('keeps a session whichever worker answers (one cookie secret)', async () => {
      const account = { username: `c${Date.now()}`, password: 'a long enough one' };
      expect((await fetch(`${base}/users`, { method: 'POST', headers: json, body: JSON.stringify(account) })).status).to.equal(201);
      const login = await fetch(`${base}/login`, { method: 'POST', headers: json, body: JSON.stringify(account) });
      expect(login.status).to.equal(200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      for (let i = 0; i < 6; i += 1) expect((await fetch(`${base}/users/me`, { headers: { cookie } })).status, `read ${i}`).to.equal(200);
    });

    it('answers /metrics with every worker’s counts summed', async () => {
      for (let i = 0; i < 10; i += 1) await fetch(`${base}/health/live`);
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('http_requests_total{method="GET",route="/health/live",status="200"}'));
      expect(Number(line?.split(' ')[1])).to.equal(10);
    });

    it('stops every worker gracefully on SIGTERM and exits 0', async () => {
      const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
      service.child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(service.lines.filter((l) => l.msg === 'stopped')).to.have.length(2);
    });
  });
}
