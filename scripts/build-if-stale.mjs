#!/usr/bin/env node
// Compiles the TypeScript only when something under src/ (or the compiler settings) is newer than the last build,
// so that a second `npm start` or CLI command starts in its real start-up time instead of waiting for `tsc`.
// Plain JavaScript on purpose: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// tsc rewrites every output on each build, so the entry point's time is the time of the last build.
const BUILT = 'dist/src/config/main.js';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtTime() {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return -1;
  }
}

const newestInput = Math.max(...INPUTS.map(newestMtime));
if (builtTime() >= newestInput) process.exit(0);

const started = Date.now();
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
if (!process.argv.includes('--quiet')) console.error(`built dist/ in ${Date.now() - started} ms`);
