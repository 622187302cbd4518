import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A stand-in compiler: records that it ran and writes the file the script takes as "the last build".
const FAKE_BUILD = (name: string, output: string) => `
const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
appendFileSync('builds.log', '${name}\\n');
mkdirSync(dirname('${output}'), { recursive: true });
writeFileSync('${output}', '');
`;

describe('scripts/build-if-stale.mjs (npm start and the CLI build only what changed)', () => {
  let dir: string;
  const run = () => {
    const result = spawnSync(process.execPath, [join(dir, 'scripts/build-if-stale.mjs'), '--quiet'], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
  };
  const builds = () => readFileSync(join(dir, 'builds.log'), 'utf8').trim().split('\n').filter(Boolean);
  /** An edit now: after the last build (each run takes tens of milliseconds), before the next. */
  const touch = (path: string) => {
    const at = new Date();
    utimesSync(join(dir, path), at, at);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-build-'));
    for (const folder of ['scripts', 'src/config', 'src/ui', 'contract/src', 'node_modules/typescript/bin', 'node_modules/vite/bin']) {
      mkdirSync(join(dir, folder), { recursive: true });
    }
    copyFileSync('scripts/build-if-stale.mjs', join(dir, 'scripts/build-if-stale.mjs'));
    for (const file of [
      'src/config/main.ts',
      'src/ui/main.tsx',
      'contract/src/index.ts',
      'tsconfig.json',
      'tsconfig.build.json',
      'package-lock.json',
    ]) {
      writeFileSync(join(dir, file), '');
    }
    writeFileSync(join(dir, 'builds.log'), '');
    writeFileSync(join(dir, 'node_modules/typescript/bin/tsc'), FAKE_BUILD('tsc', 'dist/src/config/main.js'));
    writeFileSync(join(dir, 'node_modules/vite/bin/vite.js'), FAKE_BUILD('vite', 'dist/ui/index.html'));
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds on a fresh clone, then not again until a source changes', () => {
    run();
    expect(builds()).to.deep.equal(['tsc', 'vite']);
    run();
    expect(builds(), 'a second start compiles nothing').to.deep.equal(['tsc', 'vite']);
  });

  it('--run: runs the script in the same process after the check, with the command line it would have on its own', () => {
    writeFileSync(join(dir, 'entry.mjs'), 'console.log(JSON.stringify({ pid: process.pid, argv: process.argv.slice(1) }));');
    const script = join(dir, 'scripts/build-if-stale.mjs');
    const result = spawnSync(process.execPath, [script, '--quiet', '--run', 'entry.mjs', 'create-user', '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).to.equal(0);
    const ran = JSON.parse(result.stdout) as { pid: number; argv: string[] };
    expect(ran.argv).to.deep.equal([join(dir, 'entry.mjs'), 'create-user', '--quiet']);
    expect(ran.pid, 'no second Node process').to.equal(result.pid);
    expect(builds(), 'the check ran first').to.deep.equal(['tsc', 'vite']);
  });

  it('rebuilds the service when its sources or the contract change, and the UI only when the UI changes', () => {
    run();
    touch('src/config/main.ts');
    run();
    expect(builds()).to.deep.equal(['tsc', 'vite', 'tsc']);
    touch('contract/src/index.ts');
    run();
    expect(builds()).to.deep.equal(['tsc', 'vite', 'tsc', 'tsc']);
    touch('src/ui/main.tsx');
    run();
    expect(builds()).to.deep.equal(['tsc', 'vite', 'tsc', 'tsc', 'vite']);
  });
});
