import { Readable } from 'node:stream';
import { readCommandLine } from '../../../src/adapters/cli/arguments.js';
import { runCommand } from '../../../src/adapters/cli/commands.js';
import type { Output, Stdio } from '../../../src/adapters/cli/output.js';
import { main, openTools } from '../../../src/config/cli.js';
import { BASE_ENV, type CliRun } from './helpers.js';

/** Stand-ins for the standard streams: `input` on stdin, then its end (not a terminal); what is written, kept. */
function stdio(input: string): { io: Stdio; written: { stdout: string; stderr: string } } {
  const written = { stdout: '', stderr: '' };
  const io: Stdio = {
    stdin: Readable.from(input ? [input] : []),
    stdout: { write: (text: string) => (written.stdout += text) },
    stderr: { write: (text: string) => (written.stderr += text) },
  };
  return { io, written };
}

/**
 * The entry point's `main` in this process, on an environment of the test's own (never the runner's): for runs
 * that end before any tools are opened (wrong usage, a bad environment). Each full run would open a database
 * and a bcrypt pool: those go through `openInProcess`.
 */
export async function runMain(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  const { io, written } = stdio(input);
  const code = await main(args, io, { ...BASE_ENV, ...env });
  return { code, ...written };
}

/** The commands run in this process over tools opened once; see `openInProcess`. */
export interface InProcessCli {
  /** As `runCli`, with `env` given when opening. */
  run(args: string[], input?: string): Promise<CliRun>;
  /** What was logged while the tools were opened (the database announces itself then). */
  openingLog: string;
  close(): Promise<void>;
}

/**
 * The cli's own wiring (`openTools`, as `main` calls it) opened once, then each run read and run as `main` does
 * (readCommandLine, then runCommand, or 2 for wrong usage), with its stdin, stdout and stderr captured. Log
 * lines go to the stderr of the run under way.
 */
export async function openInProcess(env: Record<string, string>): Promise<InProcessCli> {
  let openingLog = '';
  let logTo: Output = { write: (text: string) => (openingLog += text) };
  const source = { ...BASE_ENV, BCRYPT_THREADS: '1', ...env }; // one bcrypt thread is plenty at cost 4
  const opened = await openTools(source, { write: (text: string) => logTo.write(text) });
  return {
    openingLog,
    async run(args, input = '') {
      const { io, written } = stdio(input);
      logTo = io.stderr;
      const invocation = readCommandLine(args, io);
      const code = 'exit' in invocation ? invocation.exit : await runCommand(invocation, opened.tools, io);
      return { code, ...written };
    },
    close: () => opened.close(),
  };
}
