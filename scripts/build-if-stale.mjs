#!/usr/bin/env node
// Compiles the TypeScript only when something under src/ (or the compiler settings) is newer than the last build,
// so that a second `npm start` or CLI command starts in its real start-up time instead of waiting for `tsc`; and
// likewise builds the web UI (src/ui, with Vite) into dist/ui only when it changed.
// Plain JavaScript on purpose: it must run before anything is compiled.
// `--ui-only` builds only the UI (the browser tests run the server from source).
// `--run <script> [args…]` then runs that compiled script in this same process, as if Node had been started with
// it (`npm start`: one Node start-up instead of two).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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

const runAt = process.argv.indexOf('--run');
const run = runAt >= 0 ? { script: resolve(process.argv[runAt + 1] ?? ''), args: process.argv.slice(runAt + 2) } : undefined;
const flags = runAt >= 0 ? process.argv.slice(2, runAt) : process.argv.slice(2);

const uiOnly = flags.includes('--ui-only');
for (const target of uiOnly ? targets.filter((t) => t.name === 'dist/ui/') : targets) {
  const newestInput = Math.max(...target.inputs.map((input) => newestMtime(input, target.skip)));
  if (builtTime(target.built) >= newestInput) continue;
  const started = Date.now();
  const build = spawnSync(process.execPath, target.command, { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  if (!flags.includes('--quiet')) console.error(`built ${target.name} in ${Date.now() - started} ms`);
}

if (run) {
  // The script sees the command line it would have had on its own; node:cluster's workers, which re-run
  // process.argv[1], start it directly and check nothing.
  process.argv.splice(1, Infinity, run.script, ...run.args);
  await import(pathToFileURL(run.script).href);
}
