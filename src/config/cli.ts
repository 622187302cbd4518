import 'reflect-metadata';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { readCommandLine } from '../adapters/cli/arguments.js';
import { runCommand, type AdminTools } from '../adapters/cli/commands.js';
import type { Output, Stdio } from '../adapters/cli/output.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { createLogger } from '../adapters/logging/logger.js';
import { migrateToLatest } from '../adapters/persistence/db.js';
import { KnexMailOutbox } from '../adapters/persistence/email/knex-mail-outbox.js';
import { KnexOutboxQueue } from '../adapters/persistence/knex-outbox-queue.js';
import { SetAccountStatus } from '../application/accounts/set-account-status.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { ListUsers } from '../application/list-users.js';
import { Clock, UserRepository } from '../application/ports.js';
import { buildContainer } from './container.js';
import { InvalidEnvironment, parseEnv } from './env.js';
import { openDb } from './service.js';

/**
 * `npm run cli -- <command>`: the operator's tools (src/adapters/cli), on the database the service uses.
 * Exit codes: 0 done, 1 refused or failed (`error: …` on stderr), 2 wrong usage. The entry point passes its own
 * process's streams and environment; the tests pass theirs.
 */
export async function main(argv: string[], io: Stdio = process, source = process.env): Promise<number> {
  try {
    const invocation = readCommandLine(argv, io);
    if (!invocation) return 2; // the usage is on stderr, and no database was touched
    const { tools, close } = await openTools(source, io.stderr);
    try {
      return await runCommand(invocation, tools, io);
    } finally {
      await close();
    }
  } catch (err) {
    // InvalidEnvironment names every bad variable; anything else is unexpected, and the operator gets the stack.
    const detail = err instanceof InvalidEnvironment ? err.message : err instanceof Error ? err.stack : String(err);
    io.stderr.write(`error: ${detail}\n`);
    return 1;
  }
}

/** What the commands run with, and how to let it go. */
export interface OpenTools {
  tools: AdminTools;
  close(): Promise<void>;
}

/**
 * The tools over the database the environment `source` names, migrated, with log lines on `stderr`. The entry
 * point opens them for each run; the in-process tests once per database, as this wiring is the cli's own.
 */
export async function openTools(source: NodeJS.ProcessEnv, stderr: Output): Promise<OpenTools> {
  // A tool, not the API: no session secret needed in production. An empty LOG_LEVEL counts as unset, as in parseEnv.
  const env = parseEnv({ ...source, LOG_LEVEL: source.LOG_LEVEL || 'silent' }, 'tool');
  // Log lines, when LOG_LEVEL asks for any, go to stderr: stdout is the command's output, for scripts to read.
  const log = createLogger(env.logLevel, stderr);
  const db = openDb(env, log);
  try {
    await migrateToLatest(db); // as the service does at start-up: the cli may be the first to touch the database
    const container = buildContainer(env, db, log);
    const close = async () => {
      await container.get(BcryptPasswordHasher).close(); // as the service does at shutdown
      await db.destroy();
    };
    return { tools: adminTools(container, db), close };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

function adminTools(container: Container, db: Knex): AdminTools {
  return {
    createUser: container.get(CreateUser),
    listUsers: container.get(ListUsers),
    changeRole: container.get(ChangeRole),
    setAccountStatus: container.get(SetAccountStatus),
    users: container.get<UserRepository>(UserRepository),
    outbox: new KnexOutboxQueue(db),
    mail: container.get(KnexMailOutbox),
    clock: container.get<Clock>(Clock),
  };
}

/** Whether node was started on this file (`npm run cli`), rather than a test importing it; resolved as node does. */
function startedAsProgram(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return createRequire(import.meta.url).resolve(resolve(script)) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// No top-level await: the tests import this module, and mocha can require() only a module graph without one.
if (startedAsProgram()) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
