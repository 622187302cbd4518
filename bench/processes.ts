import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from './progress.js';
import { descendants } from './process-tree.js';

export const ROOT = resolve(import.meta.dirname, '..');

/** Every child this process started, so that any exit path (error, signal) can end them. */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Last resort, synchronous (from process 'exit'): SIGKILL whatever is still running, by pid. */
export function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export function childPids(): number[] {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
}

export function liveChildren(): number {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null).length;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/**
 * Resident memory in bytes of the largest process in the tree of `pid` (one worker of a cluster, or the process
 * itself), from /proc (Linux), or undefined elsewhere.
 */
export function rssOf(pid: number): number | undefined {
  const sizes = [pid, ...descendants(pid)].map(processRss).filter((n): n is number => n !== undefined);
  return sizes.length === 0 ? undefined : Math.max(...sizes);
}

function processRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return kb ? Number(kb[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number | undefined } {
  let max: number | undefined;
  const take = () => {
    const rss = rssOf(pid);
    if (rss !== undefined) max = Math.max(max ?? 0, rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return max;
    },
  };
}

export interface LoggedProcess {
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** The service's JSON log lines so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  tail(n?: number): string;
  stop(): Promise<number | null>;
}

let counter = 0;

/**
 * Starts a Node entry point with stdout and stderr going to a log file (a file never blocks the child the way
 * a full pipe would, and costs the child what a log shipper's pipe would).
 */
export function startLogged(name: string, logDir: string, args: string[], env: NodeJS.ProcessEnv): LoggedProcess {
  counter += 1;
  const logFile = join(logDir, `${String(counter).padStart(2, '0')}-${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  const read = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  return {
    child,
    pid: child.pid!,
    logFile,
    lines() {
      const out: Array<Record<string, unknown>> = [];
      for (const line of read().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a line being written
        }
      }
      return out;
    },
    tail(n = 30) {
      return read().split('\n').slice(-n).join('\n');
    },
    stop: () => stopChild(child),
  };
}

/** Waits for a log line with this `msg` (the first one), failing if the process exits first. */
export async function waitForLine(proc: LoggedProcess, msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = proc.lines().find((l) => l.msg === msg);
    if (found) return found;
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.logFile}: exited (${proc.child.exitCode ?? proc.child.signalCode}) before "${msg}":\n${proc.tail()}`);
    }
    if (Date.now() > deadline) throw new Error(`${proc.logFile}: no "${msg}" after ${timeoutMs} ms:\n${proc.tail()}`);
    await sleep(5);
  }
}

export interface Service extends LoggedProcess {
  base: string;
  port: number;
  /** From spawn to the first 200 from /health/ready. */
  startupMs: number;
  readiness: unknown;
}

/** Starts `node dist/src/config/main.js` and waits until /health/ready answers 200. */
export async function startService(name: string, logDir: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Service> {
  const t0 = performance.now();
  const proc = startLogged(name, logDir, [...nodeArgs, 'dist/src/config/main.js'], env);
  const listening = await waitForLine(proc, 'listening');
  const port = (listening.address as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  let readiness: unknown;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/health/ready`);
      readiness = await res.json();
      if (res.status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name}: /health/ready never answered 200: ${JSON.stringify(readiness)}\n${proc.tail()}`);
    await sleep(5);
  }
  const startupMs = Math.round(performance.now() - t0);
  progress(`${name} ready on port ${port} (pid ${proc.pid}) in ${startupMs} ms`);
  return { ...proc, base, port, startupMs, readiness };
}

/** Runs a Node script to completion and returns its stdout (the child reports one JSON line). */
export async function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** Starts a Node script that prints one JSON line when ready, and keeps it running. */
export async function startReporting(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] }));
  const first = await new Promise<Record<string, unknown>>((resolveLine, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before reporting`)));
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolveLine(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
    });
  });
  child.stdout!.resume();
  return { child, first };
}
