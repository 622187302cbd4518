import { parseArgs } from 'node:util';
import { HelpRequested, UsageError } from './errors.js';
import type { Stdio } from './output.js';

export const USAGE = `usage: authsvc-cli <command> [options]
       (from a checkout: npm run --silent cli -- <command> [options])

commands:
  create-user <name> [--admin]             create a user (an admin with --admin) and print it as JSON;
                                           the password is asked for on a terminal, else read from
                                           the first line of stdin
  list-users [--limit N] [--after CURSOR] [--json]
                                           a page of users, oldest first: a table, or JSON lines
  show-user <username-or-id>               print one user as JSON
  set-role <username-or-id> <user|admin>   change a user's role and print the user as JSON
  reset-password <username-or-id>          set a new password (asked for, or read from stdin, as for
                                           create-user); every session of the user ends
  end-sessions <username-or-id>            sign the user out everywhere; prints how many sessions ended
  unlock <username-or-id>                  clear the sign-in throttle of the account after failed
                                           passwords, so it may sign in at once
  disable-user <username-or-id> [--reason TEXT]
                                           disable an account (its sessions end) and print it as JSON
  enable-user <username-or-id> [--reason TEXT]
                                           enable a disabled account and print it as JSON
  delete-user <username-or-id>             delete an account for good (its sessions end) and print it
                                           as it was, as JSON
  rotate-token-key                         schedule a new access-token signing key now instead of at
                                           the next rotation, and print the keys as JSON
  outbox-status [--json]                   pending, parked and published events in the outbox
  help                                     this text (also --help)

--json is accepted by every command; all but list-users and outbox-status print JSON either way.
Exit codes: 0 done, 1 refused or failed (error: ... on stderr), 2 wrong usage.
The password is never taken from the command line: other users see arguments (ps) and shells keep them.
Settings come from the service's environment variables (DATABASE_URL or SQLITE_FILE, BCRYPT_COST, ...).
With NODE_ENV=production, DATABASE_URL (or SQLITE_FILE) must be set: no empty SQLite file is made.
LOG_LEVEL is silent unless set.
`;

const OPTIONS = {
  admin: { type: 'boolean' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  after: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type OptionName = keyof typeof OPTIONS;

/** Each command's positional arguments and the options it takes. */
const COMMANDS = {
  'create-user': { args: ['name'], options: ['admin', 'json'] },
  'list-users': { args: [], options: ['limit', 'after', 'json'] },
  'set-role': { args: ['username-or-id', 'user|admin'], options: ['json'] },
  'outbox-status': { args: [], options: ['json'] },
  'disable-user': { args: ['username-or-id'], options: ['reason', 'json'] },
  'enable-user': { args: ['username-or-id'], options: ['reason', 'json'] },
  'show-user': { args: ['username-or-id'], options: ['json'] },
  'delete-user': { args: ['username-or-id'], options: ['json'] },
  'reset-password': { args: ['username-or-id'], options: ['json'] },
  'end-sessions': { args: ['username-or-id'], options: ['json'] },
  unlock: { args: ['username-or-id'], options: ['json'] },
  'rotate-token-key': { args: [], options: ['json'] },
} satisfies Record<string, { args: string[]; options: OptionName[] }>;
export type CommandName = keyof typeof COMMANDS;

export interface Invocation {
  command: CommandName;
  args: string[];
  options: { admin?: boolean; json?: boolean; limit?: number; after?: string; reason?: string };
}

/** What the caller does with a command line: run the invocation, or exit with `exit` at once. */
export type CommandLine = Invocation | { exit: 0 | 2 };

/**
 * The invocation; or, for `help`, the usage on stdout and exit 0; or, for a wrong command line, the usage on
 * stderr (preceded by what was wrong) and exit 2. Nothing is touched before an invocation is returned.
 */
export function readCommandLine(argv: string[], io: Pick<Stdio, 'stdout' | 'stderr'> = process): CommandLine {
  try {
    return parseCommandLine(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(USAGE);
      return { exit: 0 };
    }
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message ? `error: ${err.message}\n\n` : ''}${USAGE}`);
    return { exit: 2 };
  }
}

/** A password in argv is readable by every local user (ps, /proc) and lands in shell history: refused outright. */
const PASSWORD_OPTION = /^--?pass(word|wd)?(=|$)/i;

function parseCommandLine(argv: string[]): Invocation {
  if (argv.some((arg) => PASSWORD_OPTION.test(arg))) {
    throw new UsageError(
      'a password is never taken from the command line, where other users and the shell history see it: ' +
        'type it at the prompt, or pipe it as the first line of stdin',
    );
  }
  const { values, positionals } = parseStrictly(argv);
  const [command, ...args] = positionals;
  if (command === 'help' || values.help) throw new HelpRequested();
  if (command === undefined) throw new UsageError('no command given');
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"`);
  const spec = COMMANDS[command as CommandName];
  const foreign = Object.keys(values).find((option) => !(spec.options as string[]).includes(option));
  if (foreign) throw new UsageError(`${command} does not take --${foreign}`);
  if (args.length !== spec.args.length) {
    throw new UsageError(`${command} takes ${spec.args.map((a) => `<${a}>`).join(' ') || 'no arguments'}`);
  }
  const { limit, ...rest } = values;
  if (limit !== undefined && !/^\d+$/.test(limit)) throw new UsageError('--limit takes a whole number');
  const options = { ...rest, limit: limit === undefined ? undefined : Number(limit) };
  return { command: command as CommandName, args, options };
}

function parseStrictly(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages name the option, never its value.
    if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
    throw err;
  }
}
