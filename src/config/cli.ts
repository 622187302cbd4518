import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { createLogger } from '../adapters/logging/logger.js';
import { KnexOutboxQueue } from '../adapters/persistence/knex-outbox-queue.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { ListUsers } from '../application/list-users.js';
import { Clock, UserRepository } from '../application/ports.js';
import type { UserView } from '../application/user-view.js';
import { OPERATOR } from '../domain/access-policy.js';
import { DomainError } from '../domain/errors.js';
import { parseUsername, type Username } from '../domain/username.js';
import { buildContainer } from './container.js';
import { InvalidEnvironment, parseEnv, type Env } from './env.js';
import { openDb } from './service.js';

/**
 * `npm run cli -- <command>`: the operator's tools, on the database the service uses and through the same use
 * cases, acting as OPERATOR. Exit codes: 0 done, 1 refused or failed (`error: …` on stderr), 2 wrong usage.
 * stdout carries the output only; the usage, prompts, hints and any log lines go to stderr.
 */
const USAGE = `usage: npm run --silent cli -- <command> [options]

commands:
  create-user <name> [--admin]             create a user (an admin with --admin) and print it as JSON;
                                           the password is asked for on a terminal, else read from
                                           the first line of stdin
  list-users [--limit N] [--after CURSOR] [--json]
                                           a page of users, oldest first: a table, or JSON lines
  set-role <username-or-id> <user|admin>   change a user's role and print the user as JSON
  outbox-status [--json]                   pending, parked and published events in the outbox
  help                                     this text

--json is accepted by every command: create-user and set-role print JSON either way.
Exit codes: 0 done, 1 refused or failed (error: ... on stderr), 2 wrong usage.
The password is never taken from the command line: other users see arguments (ps) and shells keep them.
Settings come from the service's environment variables (DATABASE_URL or SQLITE_FILE, BCRYPT_COST, ...);
LOG_LEVEL is silent unless set.
`;

/** The command line was called wrong: its message, if any, and the usage go to stderr; exit code 2. */
class UsageError extends Error {}

/** A failure the operator can act on that no domain rule names (a user nobody has, mistyped passwords): exit 1. */
class Failure extends Error {}

const OPTIONS = {
  admin: { type: 'boolean' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  after: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type OptionName = keyof typeof OPTIONS;

/** Each command's positional arguments and the options it takes. */
const COMMANDS = {
  'create-user': { args: ['name'], options: ['admin', 'json'] },
  'list-users': { args: [], options: ['limit', 'after', 'json'] },
  'set-role': { args: ['username-or-id', 'user|admin'], options: ['json'] },
  'outbox-status': { args: [], options: ['json'] },
} satisfies Record<string, { args: string[]; options: OptionName[] }>;
type CommandName = keyof typeof COMMANDS;

interface Invocation {
  command: CommandName;
  args: string[];
  options: { admin?: boolean; json?: boolean; limit?: number; after?: string };
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

interface Deps {
  container: Container;
  db: Knex;
}

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const hint = (line: string): void => void process.stderr.write(`${line}\n`);

const HANDLERS: Record<CommandName, (invocation: Invocation, deps: Deps) => Promise<void>> = {
  'create-user': createUser,
  'list-users': listUsers,
  'set-role': setRole,
  'outbox-status': outboxStatus,
};

async function createUser({ args, options }: Invocation, { container }: Deps): Promise<void> {
  const username = args[0]!;
  parseUsername(username); // a bad name fails before the password is asked for
  const password = await readPassword();
  // The operator has the database's trust, as the service has for its start-up admin: 'system' creates either role.
  const user = await container
    .get(CreateUser)
    .execute({ username, password, role: options.admin ? 'admin' : 'user' }, 'system');
  print(JSON.stringify(user));
}

async function listUsers({ options }: Invocation, { container }: Deps): Promise<void> {
  const page = await container.get(ListUsers).execute({ limit: options.limit, after: options.after }, OPERATOR);
  if (options.json) page.users.forEach((user) => print(JSON.stringify(user)));
  else print(table(page.users));
  const same = `${options.json ? ' --json' : ''}${options.limit === undefined ? '' : ` --limit ${options.limit}`}`;
  if (page.nextCursor) hint(`more: npm run --silent cli -- list-users${same} --after ${page.nextCursor}`);
}

function table(users: UserView[]): string {
  const cells = users.map((u) => [u.id, u.username, u.role, u.createdAt.toISOString()]);
  const rows = [['ID', 'USERNAME', 'ROLE', 'CREATED'], ...cells];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

async function setRole({ args }: Invocation, { container }: Deps): Promise<void> {
  const userId = await idOf(args[0]!, container.get<UserRepository>(UserRepository));
  print(JSON.stringify(await container.get(ChangeRole).execute({ userId, role: args[1]! }, OPERATOR)));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A name is looked up first (what an operator usually types); otherwise an id-shaped argument is the id. */
async function idOf(ref: string, users: UserRepository): Promise<string> {
  const username = usernameOrUndefined(ref);
  const byName = username && (await users.findByUsername(username));
  if (byName) return byName.id;
  if (UUID.test(ref)) return ref.toLowerCase(); // ChangeRole answers UserNotFound for an id nobody has
  throw new Failure(`no user is named "${ref}"`);
}

function usernameOrUndefined(raw: string): Username | undefined {
  try {
    return parseUsername(raw);
  } catch {
    return undefined;
  }
}

/** How many parked rows are listed: they need a person's attention, but not a screenful each. */
const PARKED_SHOWN = 20;

async function outboxStatus({ options }: Invocation, { container, db }: Deps): Promise<void> {
  const queue = new KnexOutboxQueue(db);
  const { pending, oldestAgeMs } = await queue.lag(container.get<Clock>(Clock).now());
  const { published, parked } = await queue.counts();
  const parkedEvents = parked > 0 ? await queue.parked(PARKED_SHOWN) : [];
  if (options.json) {
    print(JSON.stringify({ pending, oldestPendingAgeMs: oldestAgeMs, parked, parkedEvents, published }));
    return;
  }
  print(`pending    ${pending}${oldestAgeMs === null ? '' : ` (the oldest for ${duration(oldestAgeMs)})`}`);
  print(`parked     ${parked}`);
  for (const e of parkedEvents) {
    const error = (e.lastError ?? '').split('\n')[0]!.slice(0, 200);
    print(`  seq ${e.seq}  ${e.type}  user ${e.aggregateId}  parked ${e.parkedAt.toISOString()}: ${error}`);
  }
  if (parked > parkedEvents.length) print(`  and ${parked - parkedEvents.length} more`);
  print(`published  ${published}`);
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return `${ms} ms`;
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** On a terminal: asked twice, never echoed. Otherwise the first line of stdin. Never from argv. */
function readPassword(): Promise<string> {
  return process.stdin.isTTY ? promptTwice() : firstLineOfStdin();
}

async function firstLineOfStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) return line; // leaving the loop closes the interface
  throw new Failure('no password on stdin: pipe it as the first line, or run on a terminal to be asked');
}

/**
 * readline owns the terminal (raw mode, so the kernel echoes nothing) and echoes into a sink. Lines are read from
 * one queue, so a pasted pair of lines answers both questions.
 */
async function promptTwice(): Promise<string> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: sink, terminal: true });
  rl.on('SIGINT', () => rl.close()); // Ctrl-C ends the queue, as Ctrl-D does
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string> => {
    process.stderr.write(prompt);
    const line = await lines.next();
    process.stderr.write('\n'); // the Enter key was not echoed either
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

async function execute(invocation: Invocation, env: Env): Promise<number> {
  // Log lines, when LOG_LEVEL asks for any, go to stderr: stdout is the command's output, for scripts to read.
  const log = createLogger(env.logLevel, process.stderr);
  const db = openDb(env, log);
  try {
    await db.migrate.latest(); // as the service does at start-up: the cli may be the first to touch the database
    await HANDLERS[invocation.command](invocation, { container: buildContainer(env, db, log), db });
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError || err instanceof Failure)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}

function main(argv: string[]): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `error: ${err.message}\n\n` : ''}${USAGE}`);
    return Promise.resolve(2);
  }
  // An empty LOG_LEVEL counts as unset, as everywhere in parseEnv.
  return execute(invocation, parseEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'silent' }));
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // InvalidEnvironment names every bad variable; anything else is unexpected, and the operator gets the stack.
  const detail = err instanceof InvalidEnvironment ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`error: ${detail}\n`);
  process.exitCode = 1;
}
