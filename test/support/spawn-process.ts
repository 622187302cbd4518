import { spawn, type ChildProcess } from 'node:child_process';

/** One line of a child's stdout: its JSON log line parsed, or any other line as `{ msg: line }`. */
export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface SpawnedProcess {
  child: ChildProcess;
  /** stdout's complete lines so far, in order (a live array). */
  lines: LogLine[];
  stdout(): string;
  stderr(): string;
  /** The exit code, once the process has exited and its output is all read. */
  exited: Promise<number | null>;
  /** The first line that is `msg` or satisfies it; rejects if the process exits first or after `timeoutMs`. */
  until(msg: string | ((line: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  /** Kills the process and everything it started (its whole process group), then waits for it to be gone. */
  stop(): Promise<void>;
}

/** What is still running: killed (and named) at the end of the run by test/support/hooks.ts, or when this process exits. */
export const running = new Set<SpawnedProcess>();
process.once('exit', () => running.forEach((p) => killGroup(p.child)));

/**
 * `node --import tsx <entry> …args` (a real entry point, from the sources) with only PATH and `env`, its stdout and
 * stderr captured and `input` written to its stdin (which is closed; nothing at all when omitted). It leads a
 * process group of its own, so `stop()` also reaches the workers or children it forks.
 */
export function spawnProcess(
  entry: string,
  env: Record<string, string>,
  options: { args?: string[]; input?: string } = {},
): SpawnedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...(options.args ?? [])], {
    env: { PATH: process.env.PATH!, ...env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  let partial = '';
  const lines: LogLine[] = [];
  const wake: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push(part.startsWith('{') ? (JSON.parse(part) as LogLine) : { msg: part });
    wake.splice(0).forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // it may exit (a usage error) before reading what is piped
    child.stdin.end(options.input);
  }
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const spawned: SpawnedProcess = {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    until: (msg, timeoutMs = 30_000) => untilLine(spawned, typeof msg === 'string' ? (l) => l.msg === msg : msg, timeoutMs, wake),
    async stop() {
      killGroup(child);
      await exited.catch(() => undefined);
    },
  };
  running.add(spawned);
  void exited.finally(() => running.delete(spawned)).catch(() => undefined);
  return spawned;
}

function untilLine(p: SpawnedProcess, predicate: (line: LogLine) => boolean, timeoutMs: number, wake: Array<() => void>): Promise<LogLine> {
  return new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms; stderr: ${p.stderr()}`)), timeoutMs);
    const check = () => {
      const found = p.lines.find(predicate);
      if (found) return void (clearTimeout(timer), resolve(found));
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        clearTimeout(timer);
        return reject(new Error(`process exited ${p.child.exitCode ?? p.child.signalCode}: ${p.stderr()}`));
      }
      wake.push(check);
    };
    p.child.once('exit', check);
    check();
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return; // never started
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
