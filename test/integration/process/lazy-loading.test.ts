import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the real entry point from the sources with a preload that records, at exit, every module it loaded. */
async function start(env: Record<string, string>, record: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', './test/support/record-loaded-modules.mjs', '--import', 'tsx', 'src/config/main.ts'], {
    env: { PATH: process.env.PATH!, RECORD_LOADED_MODULES: record, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const listening = buffered.split('\n').find((line) => line.includes('"msg":"listening"'));
      if (listening) resolve(`http://127.0.0.1:${(JSON.parse(listening) as { address: { port: number } }).address.port}`);
    });
    child.once('exit', (code) => reject(new Error(`service exited ${code} before listening`)));
  });
  return { child, base };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The packages (under node_modules) among the recorded modules. */
function packagesLoaded(record: string): Set<string> {
  const files = readFileSync(record, 'utf8').split('\n');
  return new Set(files.map((file) => /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(file)?.[1]).filter((p): p is string => !!p));
}

describe('what the service loads only when it is used', function () {
  this.timeout(60_000);
  let dir: string;
  const env = () => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SQLITE_FILE: join(dir, 'authsvc.sqlite'),
    MAIL_DIR: join(dir, 'mail'),
    MAIL_POLL_INTERVAL_MS: '50',
    BCRYPT_COST: '4',
  });

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'authsvc-lazy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without KAFKA_BROKERS and with no mail to send, neither kafkajs nor nodemailer is loaded', async () => {
    const record = join(dir, 'modules.txt');
    const { child, base } = await start(env(), record);
    const created = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'a long enough one' }),
    });
    expect(created.status).to.equal(201);
    await sleep(300); // a few rounds of the mail relay, with nothing to send
    await stop(child);
    const loaded = packagesLoaded(record);
    expect(loaded.has('knex'), 'the recording works').to.equal(true);
    expect(loaded.has('kafkajs'), 'kafkajs').to.equal(false);
    expect(loaded.has('nodemailer'), 'nodemailer').to.equal(false);
  });

  it('loads nodemailer with the first message, and writes it', async () => {
    const record = join(dir, 'modules.txt');
    const { child, base } = await start(env(), record);
    const created = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'grace', password: 'a long enough one', email: 'grace@example.com' }),
    });
    expect(created.status).to.equal(201);
    const mailDir = join(dir, 'mail');
    for (let waited = 0; !(existsSync(mailDir) && readdirSync(mailDir).some((f) => f.endsWith('.eml'))); waited += 50) {
      if (waited > 20_000) throw new Error('no .eml file written');
      await sleep(50);
    }
    await stop(child);
    expect(packagesLoaded(record).has('nodemailer')).to.equal(true);
  });
});
