import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { spawnProcess, type SpawnedProcess } from '../../support/spawn-process.js';

/** Starts the real entry point as `npm start` would run it, but from the sources, and collects its JSON log lines. */
const startService = (env: Record<string, string>): SpawnedProcess => spawnProcess('src/config/main.ts', env);

describe('the service on its embedded default (no DATABASE_URL)', function () {
  this.timeout(60_000);
  let dir: string;
  let service: ReturnType<typeof startService>;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-'));
    service = startService({
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_FILE: join(dir, 'authsvc.sqlite'),
      BCRYPT_COST: '4',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'start-up admin password',
    });
    const listening = await service.until('listening');
    base = `http://127.0.0.1:${(listening.address as { port: number }).port}`;
  });

  after(() => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says that it uses the embedded SQLite file', () => {
    const line = service.lines.find((l) => l.msg.includes('embedded SQLite'));
    expect(line?.file).to.equal(join(dir, 'authsvc.sqlite'));
  });

  it('serves the API: the start-up admin logs in and manages a registered user', async () => {
    const json = { 'content-type': 'application/json' };
    const created = await fetch(`${base}/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'grace', password: 'a long enough one' }),
    });
    expect(created.status).to.equal(201);
    const { id } = (await created.json()) as { id: string };

    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'root', password: 'start-up admin password' }),
    });
    expect(login.status).to.equal(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');

    const promoted = await fetch(`${base}/users/${id}/role`, {
      method: 'PUT',
      headers: { ...json, cookie },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(promoted.status).to.equal(200);
    const deleted = await fetch(`${base}/users/${id}`, { method: 'DELETE', headers: { cookie } });
    expect(deleted.status).to.equal(204);
    expect((await fetch(`${base}/users/${id}`, { headers: { cookie } })).status).to.equal(404);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
    service.child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});

describe('start-up configuration checks', function () {
  this.timeout(30_000);

  it('exits non-zero and names every bad variable', async () => {
    const service = startService({ PORT: 'abc', BCRYPT_COST: '99', DATABASE_URL: 'postgres://x' });
    let stderr = '';
    service.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => service.child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain('PORT').and.to.contain('BCRYPT_COST').and.to.contain('DATABASE_URL');
  });
});
