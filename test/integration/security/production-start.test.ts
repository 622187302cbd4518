import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startProcess, type ServiceProcess } from './helpers.js';

describe('production start-up checks (the real entry point)', function () {
  this.timeout(120_000); // each process compiles the sources with tsx as it starts: slow on a busy machine
  let dir: string;
  const started: ServiceProcess[] = [];

  /** NODE_ENV=production on an embedded SQLite file of its own, on a free port. */
  const production = (env: Record<string, string>): ServiceProcess => {
    const service = startProcess({
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_FILE: join(dir, `${randomBytes(4).toString('hex')}.sqlite`),
      BCRYPT_COST: '4',
      MFA_KEY_SECRET: randomBytes(32).toString('hex'),
      ...env,
    });
    started.push(service);
    return service;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-prod-'));
  });
  after(async () => {
    await Promise.all(started.map((service) => service.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const refusals: Array<[string, Record<string, string>, string]> = [
    ['no SESSION_SECRET', {}, 'SESSION_SECRET'],
    ['a short SESSION_SECRET', { SESSION_SECRET: 'short-but-random-9f8e7d' }, 'SESSION_SECRET'],
    ['a published example SESSION_SECRET of 32+ bytes', { SESSION_SECRET: 'replace-with-32-or-more-random-characters' }, 'SESSION_SECRET'],
    ['the example secret of the tests, in capitals', { SESSION_SECRET: 'A TEST SESSION SECRET THAT IS LONG ENOUGH' }, 'SESSION_SECRET'],
    ['a repetitive SESSION_SECRET', { SESSION_SECRET: 'x'.repeat(40) }, 'SESSION_SECRET'],
    [
      'SESSION_COOKIE_SECURE=false',
      { SESSION_SECRET: randomBytes(32).toString('hex'), SESSION_COOKIE_SECURE: 'false' },
      'SESSION_COOKIE_SECURE',
    ],
    ['no TOKEN_KEY_SECRET', { SESSION_SECRET: randomBytes(32).toString('hex') }, 'TOKEN_KEY_SECRET'],
  ];

  describe('refuses to start, exiting non-zero and naming the variable on stderr', () => {
    const runs = new Map<string, ServiceProcess>();
    // All at once: each is a process of its own, and each takes a second or two to load.
    before(() => {
      for (const [label, env] of refusals) runs.set(label, production(env));
    });

    for (const [label, env, variable] of refusals) {
      it(label, async () => {
        const service = runs.get(label)!;
        const code = await service.exited;
        expect(code, 'exit code').to.be.a('number').and.not.equal(0);
        expect(service.stderr()).to.contain(variable);
        expect(service.stdout(), 'it must not have listened').not.to.contain('"msg":"listening"');
        if (env.SESSION_SECRET && variable === 'SESSION_SECRET') {
          expect(service.stderr(), 'the secret itself is not printed').not.to.contain(env.SESSION_SECRET);
        }
      });
    }
  });

  it('starts with strong secrets, and its session cookie after login is Secure', async () => {
    const service = production({
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      TOKEN_KEY_SECRET: randomBytes(32).toString('base64url'),
    });
    const listening = await service.until('listening');
    const base = `http://127.0.0.1:${(listening.address as { port: number }).port}`;
    const json = { 'content-type': 'application/json' };
    const body = JSON.stringify({ username: 'prod-user', password: 'a long enough production password' });

    expect((await fetch(`${base}/users`, { method: 'POST', headers: json, body })).status).to.equal(201);
    const login = await fetch(`${base}/login`, { method: 'POST', headers: json, body });
    expect(login.status).to.equal(200);
    const cookies = login.headers.getSetCookie();
    const session = cookies.filter((c) => c.startsWith('authsvc.sid'));
    expect(session, 'the session cookie and its signature').to.have.length(2);
    for (const line of session) {
      const attributes = line
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      expect(attributes, line).to.include('secure');
      expect(attributes, line).to.include('httponly');
    }
    service.child.kill('SIGTERM');
    expect(await service.exited).to.equal(0);
  });
});
