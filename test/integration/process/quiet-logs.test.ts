import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

type Line = Record<string, unknown> & { level: number; msg: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real service, from the sources, on SQLite, with a broker address where nothing listens. */
describe('the service with its broker down', function () {
  this.timeout(90_000);
  let dir: string;
  let lines: Line[];
  let stderr = '';
  let stdout = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/config/main.ts'], {
      env: {
        PATH: process.env.PATH!,
        PORT: '0',
        HOST: '127.0.0.1',
        SQLITE_FILE: join(dir, 'authsvc.sqlite'),
        BCRYPT_COST: '4',
        LOG_LEVEL: 'debug', // to count the retries; the test reads what is above debug
        LOG_FORMAT: 'json',
        KAFKA_BROKERS: '127.0.0.1:1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const parse = () =>
      stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Line);
    const deadline = Date.now() + 60_000;
    while (!parse().some((l) => l.msg === 'listening') && Date.now() < deadline && child.exitCode === null) await sleep(200);
    await sleep(8_000); // several retries: the back-off starts at 100 ms and doubles
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
    lines = parse();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says at start-up which database and which brokers it uses', () => {
    expect(lines.find((l) => l.msg.startsWith('DATABASE_URL is not set'))).to.include({ file: join(dir, 'authsvc.sqlite') });
    expect(lines.find((l) => l.msg === 'outbox relay started')).to.deep.include({ brokers: ['127.0.0.1:1'] });
  });

  it('warns once that the broker is unreachable, with no error line and no stack, however many retries', () => {
    expect(stderr).to.equal('');
    expect(stdout).not.to.match(/\n\s+at /);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).to.deep.equal([]);
    const warnings = lines.filter((l) => l.level === 40 && !/ is not set[:,]/.test(l.msg)); // not the start-up notes on missing settings
    expect(warnings.map((l) => l.msg)).to.deep.equal(['broker unreachable: events wait in the outbox; retrying until it is back']);
    expect(warnings[0]).to.have.property('error').that.is.a('string');
    const retries = lines.filter((l) => l.msg === 'outbox relay still failing; retrying');
    expect(retries.length, 'retries, each at debug').to.be.at.least(2);
    expect(retries.every((l) => l.level === 20)).to.equal(true);
    const kafkajs = lines.filter((l) => l.component === 'kafkajs');
    expect(kafkajs.length, "kafkajs's own lines").to.be.greaterThan(0);
    expect(kafkajs.filter((l) => l.level > 20)).to.deep.equal([]);
  });
});
