import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Failure } from './errors.js';
import type { Stdio } from './output.js';

/** On a terminal: asked twice, never echoed. Otherwise the first line of stdin. Never from argv. */
export function readPassword(io: Stdio): Promise<string> {
  return io.stdin.isTTY ? promptTwice(io) : firstLineOfStdin(io.stdin);
}

async function firstLineOfStdin(stdin: Stdio['stdin']): Promise<string> {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  for await (const line of lines) return line; // leaving the loop closes the interface
  throw new Failure('no password on stdin: pipe it as the first line, or run on a terminal to be asked');
}

/**
 * readline owns the terminal (raw mode, so the kernel echoes nothing) and echoes into a sink. Lines are read from
 * one queue, so a pasted pair of lines answers both questions. Prompts go to stderr: stdout is the output.
 */
async function promptTwice(io: Stdio): Promise<string> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.stdin, output: sink, terminal: true });
  rl.on('SIGINT', () => rl.close()); // Ctrl-C ends the queue, as Ctrl-D does
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string> => {
    io.stderr.write(prompt);
    const line = await lines.next();
    io.stderr.write('\n'); // the Enter key was not echoed either
    if (line.done) throw new Failure('no password given');
    return line.value;
  };
  try {
    const password = await ask('Password: ');
    if ((await ask('Repeat the password: ')) !== password) throw new Failure('the two passwords differ');
    return password;
  } finally {
    rl.close();
  }
}
