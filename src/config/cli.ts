#!/usr/bin/env node
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
import { Failure } from '../adapters/cli/errors.js';
import { DatabaseUnavailable, describeTarget } from '../adapters/persistence/database-target.js';
import { MailReport } from '../application/email/ports.js';
import { SetAccountStatus } from '../application/accounts/set-account-status.js';
import { UnlockAccount } from '../application/accounts/unlock-account.js';
import { ChangePassword } from '../application/accounts/change-password.js';
import { DeleteUser } from '../application/accounts/delete-user.js';
import { GetUser } from '../application/accounts/get-user.js';
import { EndSessions } from '../application/sessions/end-sessions.js';
import { KeyRing } from '../application/tokens/key-ring.js';
import { ChangeRole } from '../application/accounts/change-role.js';
import { CreateUser } from '../application/accounts/create-user.js';
import { ListUsers } from '../application/accounts/list-users.js';
import { OutboxReport } from '../application/outbox/ports.js';
import { Clock, UserRepository } from '../application/ports.js';
import { buildCliContainer } from './container.js';
import { dbTarget, migrateOrExplain, openDb } from './database.js';
import { InvalidEnvironment, parseEnv } from './env.js';

/**
 * `npm run cli -- <command>`: the operator's tools (src/adapters/cli), on the database the service uses.
 * Exit codes: 0 done, 1 refused or failed (`error: …` on stderr), 2 wrong usage. The entry point passes its own
 * process's streams and environment; the tests pass theirs.
 */
export async function main(argv: string[], io: Stdio = process, source = process.env): Promise<number> {
  try {
    const invocation = readCommandLine(argv, io);
    if ('exit' in invocation) return invocation.exit; // help, or the usage on stderr: no database was touched
    const { tools, close } = await openTools(source, io.stderr, io.stderr);
    try {
      return await runCommand(invocation, tools, io);
    } finally {
      await close();
    }
  } catch (err) {
    // These name what is wrong and what to do; anything else is unexpected, and the operator gets the stack.
    const known = err instanceof InvalidEnvironment || err instanceof DatabaseUnavailable || err instanceof Failure;
    const detail = known ? err.message : err instanceof Error ? err.stack : String(err);
    io.stderr.write(`error: ${detail}\n`);
    return 1;
  }
}

/** What the commands run with, and how to let it go. */
export interface OpenTools {
  tools: AdminTools;
  close: () => Promise<void>;
}

/**
 * The tools over the database the environment `source` names, migrated, with log lines on `stderr`. The entry
 * point opens them for each run; the in-process tests once per database, as this wiring is the cli's own.
 */
export async function openTools(source: NodeJS.ProcessEnv, stderr: Output, notices?: Output): Promise<OpenTools> {
  // A tool, not the API: no session secret needed in production. An empty LOG_LEVEL counts as unset, as in parseEnv.
  const env = parseEnv({ ...source, LOG_LEVEL: source.LOG_LEVEL || 'silent' }, 'tool');
  const production = env.nodeEnv === 'production';
  // In production the embedded default would be a new, empty database, with none of the service's users.
  if (production && !source.DATABASE_URL && !source.SQLITE_FILE) {
    throw new Failure(
      'DATABASE_URL is not set, and with NODE_ENV=production no embedded SQLite database is made: ' +
        "set DATABASE_URL to the service's database (or SQLITE_FILE to a SQLite file the service uses)",
    );
  }
  // Outside production, the operator is told which database this is (a checkout's default file, or a server).
  if (!production) notices?.write(`database: ${describeTarget(dbTarget(env))}\n`);
  // Log lines, when LOG_LEVEL asks for any, go to stderr: stdout is the command's output, for scripts to read.
  const log = createLogger(env.logLevel, stderr);
  const db = openDb(env, log);
  try {
    await migrateOrExplain(db, env); // as the service does at start-up: the cli may be the first to touch the database
    const container = buildCliContainer(env, db, log);
    const close = async () => {
      await container.get(BcryptPasswordHasher).close(); // as the service does at shutdown
      await db.destroy();
    };
    return { tools: adminTools(container, db, Boolean(env.tokens.keySecret)), close };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** The commands' tools from a container over `db` (the mail tests build theirs the same way). */
export function adminTools(container: Container, db: Knex, tokenKeySecretSet: boolean): AdminTools {
  return {
    getUser: container.get(GetUser),
    deleteUser: container.get(DeleteUser),
    changePassword: container.get(ChangePassword),
    endSessions: container.get(EndSessions),
    unlockAccount: container.get(UnlockAccount),
    keyRing: tokenKeySecretSet ? container.get(KeyRing) : undefined,
    createUser: container.get(CreateUser),
    listUsers: container.get(ListUsers),
    changeRole: container.get(ChangeRole),
    setAccountStatus: container.get(SetAccountStatus),
    users: container.get<UserRepository>(UserRepository),
    outbox: container.get<OutboxReport>(OutboxReport),
    mail: container.get<MailReport>(MailReport),
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
