import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    timeout: 120_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

// What a consumer team writes: no authsvc, no TypeScript, only the package.
const CONSUMER = `
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseUserEvent, USER_EVENT_TYPES } from '@authsvc/user-events';

const event = {
  specversion: '1.0', id: '0190a0b4-8c43-7f00-8000-000000000001', source: '//authsvc', type: 'user.deleted',
  subject: '0190a0b4-8c43-7f00-8000-0000000000aa', time: '2026-12-01T10:00:00.000Z', datacontenttype: 'application/json',
  data: { userId: '0190a0b4-8c43-7f00-8000-0000000000aa', username: 'ada', deletedBy: '0190a0b4-8c43-7f00-8000-0000000000bb' },
};
const parsed = parseUserEvent(event);
let broken = 'accepted';
try { parseUserEvent({ ...event, data: { userId: 'not a uuid' } }); } catch (e) { broken = e.name; }
let unknown = 'accepted';
try { parseUserEvent({ ...event, type: 'user.teleported' }); } catch (e) { unknown = e.message; }
const schema = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('@authsvc/user-events/schemas/user.deleted.json')), 'utf8'));
const asyncapi = readFileSync(fileURLToPath(import.meta.resolve('@authsvc/user-events/asyncapi.yaml')), 'utf8');
console.log(JSON.stringify({ type: parsed.type, broken, unknown, types: USER_EVENT_TYPES.length, schemaTitle: schema.title, asyncapi: /^asyncapi: 3/m.test(asyncapi) }));
`;

describe('the event contract as a package of its own (contract/)', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authsvc-contract-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packs, installs into an empty project with zod as its only dependency, and validates events there', async () => {
    const { stdout } = await npm(['pack', './contract', '--pack-destination', dir, '--json'], process.cwd());
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    expect(files).to.include.members(['dist/index.js', 'dist/index.d.ts', 'asyncapi.yaml', 'schemas/user.created.json', 'README.md']);
    expect(files.filter((f) => f.startsWith('src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).to.deep.equal([]);

    const consumer = join(dir, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await npm(['install', '--prefer-offline', join(dir, packed!.filename)], consumer);
    const installed = (await readdir(join(consumer, 'node_modules'))).filter((n) => !n.startsWith('.'));
    expect(installed.sort()).to.deep.equal(['@authsvc', 'zod']);

    await writeFile(join(consumer, 'check.mjs'), CONSUMER);
    const result = JSON.parse((await run('node', ['check.mjs'], { cwd: consumer })).stdout) as Record<string, unknown>;
    const types = (await readdir('contract/schemas')).length;
    expect(result).to.deep.include({ type: 'user.deleted', broken: 'ZodError', types, asyncapi: true });
    expect(result.unknown).to.match(/user\.teleported/);
    expect(result.schemaTitle).to.be.a('string');
  });
});
