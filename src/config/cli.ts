import 'reflect-metadata';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { readCommandLine } from '../adapters/cli/arguments.js';
import { runCommand, type AdminTools } from '../adapters/cli/commands.js';
import { createLogger } from '../adapters/logging/logger.js';
import { migrateToLatest } from '../adapters/persistence/db.js';
import { KnexOutboxQueue } from '../adapters/persistence/knex-outbox-queue.js';
import { ChangeRole } from '../application/change-role.js';
import { CreateUser } from '../application/create-user.js';
import { ListUsers } from '../application/list-users.js';
import { Clock, UserRepository } from '../application/ports.js';
import { buildContainer } from './container.js';
import { InvalidEnvironment, parseEnv } from './env.js';
import { openDb } from './service.js';

/**
 * `npm run cli -- <command>`: the operator's tools (src/adapters/cli), on the database the service uses.
 * Exit codes: 0 done, 1 refused or failed (`error: …` on stderr), 2 wrong usage.
 */
async function main(argv: string[]): Promise<number> {
  const invocation = readCommandLine(argv);
  if (!invocation) return 2; // the usage is on stderr, and no database was touched
  // A tool, not the API: no session secret needed in production. An empty LOG_LEVEL counts as unset, as in parseEnv.
  const env = parseEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'silent' }, 'tool');
  // Log lines, when LOG_LEVEL asks for any, go to stderr: stdout is the command's output, for scripts to read.
  const log = createLogger(env.logLevel, process.stderr);
  const db = openDb(env, log);
  try {
    await migrateToLatest(db); // as the service does at start-up: the cli may be the first to touch the database
    return await runCommand(invocation, adminTools(buildContainer(env, db, log), db));
  } finally {
    await db.destroy();
  }
}

function adminTools(container: Container, db: Knex): AdminTools {
  return {
    createUser: container.get(CreateUser),
    listUsers: container.get(ListUsers),
    changeRole: container.get(ChangeRole),
    users: container.get<UserRepository>(UserRepository),
    outbox: new KnexOutboxQueue(db),
    clock: container.get<Clock>(Clock),
  };
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // InvalidEnvironment names every bad variable; anything else is unexpected, and the operator gets the stack.
  const detail = err instanceof InvalidEnvironment ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`error: ${detail}\n`);
  process.exitCode = 1;
}
