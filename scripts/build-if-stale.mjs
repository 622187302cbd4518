#!/usr/bin/env node
// Compiles the TypeScript only when something under src/ (or the compiler settings) is newer than the last build,
// so that a second `npm start` or CLI command starts in its real start-up time instead of waiting for `tsc`; and
// likewise builds the web UI (src/ui, with Vite) into dist/ui only when it changed.
// Plain JavaScript on purpose: it must run before anything is compiled.
// `--ui-only` builds only the UI (the browser tests run the server from source).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const UI = 'src/ui';
const targets = [
  {
    name: 'dist/',
    // tsc rewrites every output on each build, so the entry point's time is the time of the last build.
    built: 'dist/src/config/main.js',
    inputs: ['src', 'contract/src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    skip: [UI],
    command: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
  },
  {
    name: 'dist/ui/',
    // Vite empties dist/ui and writes it anew on each build.
    built: 'dist/ui/index.html',
    inputs: [UI, 'package-lock.json'],
    skip: [],
    command: ['node_modules/vite/bin/vite.js', 'build', '--config', `${UI}/vite.config.mjs`, '--configLoader', 'native'],
  },
];

function newestMtime(path, skip) {
  if (skip.includes(path)) return 0;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), skip));
  return newest;
}

function builtTime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

const uiOnly = process.argv.includes('--ui-only');
for (const target of uiOnly ? targets.filter((t) => t.name === 'dist/ui/') : targets) {
  const newestInput = Math.max(...target.inputs.map((input) => newestMtime(input, target.skip)));
  if (builtTime(target.built) >= newestInput) continue;
  const started = Date.now();
  const run = spawnSync(process.execPath, target.command, { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  if (!process.argv.includes('--quiet')) console.error(`built ${target.name} in ${Date.now() - started} ms`);
}
