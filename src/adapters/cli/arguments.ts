import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { Stdio } from './output.js';

export const USAGE = `usage: npm run --silent cli -- <command> [options]

commands:
  create-user <name> [--admin]             create a user (an admin with --admin) and print it as JSON;
                                           the password is asked for on a terminal, else read from
                                           the first line of stdin
  list-users [--limit N] [--after CURSOR] [--json]
                                           a page of users, oldest first: a table, or JSON lines
  set-role <username-or-id> <user|admin>   change a user's role and print the user as JSON
  disable-user <username-or-id> [--reason TEXT]
                                           disable an account (its sessions end) and print it as JSON
  enable-user <username-or-id> [--reason TEXT]
                                           enable a disabled account and print it as JSON
  outbox-status [--json]                   pending, parked and published events in the outbox
  help                                     this text

--json is accepted by every command: create-user, set-role, disable-user and enable-user print JSON either way.
Exit codes: 0 done, 1 refused or failed (error: ... on stderr), 2 wrong usage.
The password is never taken from the command line: other users see arguments (ps) and shells keep them.
Settings come from the service's environment variables (DATABASE_URL or SQLITE_FILE, BCRYPT_COST, ...);
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
} satisfies Record<string, { args: string[]; options: OptionName[] }>;
export type CommandName = keyof typeof COMMANDS;

export interface Invocation {
  command: CommandName;
  args: string[];
  options: { admin?: boolean; json?: boolean; limit?: number; after?: string; reason?: string };
}

/**
 * The invocation, or undefined once the usage is on stderr (preceded by what was wrong, if anything): the
 * caller exits 2 and touches nothing.
 */
export function readCommandLine(argv: string[], io: Pick<Stdio, 'stderr'> = process): Invocation | undefined {
  try {
    return parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message ? `error: ${err.message}\n\n` : ''}${USAGE}`);
    return undefined;
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
  if (command === undefined || command === 'help' || values.help) throw new UsageError();
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
