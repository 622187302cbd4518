import type { SetAccountStatus } from '../../application/accounts/set-account-status.js';
import type { UnlockAccount } from '../../application/accounts/unlock-account.js';
import type { ChangePassword } from '../../application/accounts/change-password.js';
import type { DeleteUser } from '../../application/accounts/delete-user.js';
import type { GetUser } from '../../application/accounts/get-user.js';
import type { EndSessions } from '../../application/sessions/end-sessions.js';
import type { KeyRing } from '../../application/tokens/key-ring.js';
import type { ChangeRole } from '../../application/accounts/change-role.js';
import type { CreateUser } from '../../application/accounts/create-user.js';
import type { ListUsers } from '../../application/accounts/list-users.js';
import type { MailReport } from '../../application/email/ports.js';
import type { OutboxReport } from '../../application/outbox/ports.js';
import type { Clock, UserRepository } from '../../application/ports.js';
import { OPERATOR } from '../../domain/access-policy.js';
import { DomainError } from '../../domain/errors.js';
import { parseUsername, type Username } from '../../domain/username.js';
import type { CommandName, Invocation } from './arguments.js';
import { Failure } from './errors.js';
import { readPassword } from './password-input.js';
import { hint, outboxLines, print, userTable, type Stdio } from './output.js';

/** What the commands work with, built by the entry point: plain objects, never the container. */
export interface AdminTools {
  createUser: CreateUser;
  listUsers: ListUsers;
  changeRole: ChangeRole;
  setAccountStatus: SetAccountStatus;
  getUser: GetUser;
  deleteUser: DeleteUser;
  changePassword: ChangePassword;
  endSessions: EndSessions;
  unlockAccount: UnlockAccount;
  /** Undefined when TOKEN_KEY_SECRET is not set: a key made here could not be opened by the service. */
  keyRing: Pick<KeyRing, 'rotateNow'> | undefined;
  users: UserRepository;
  outbox: OutboxReport;
  mail: MailReport;
  clock: Clock;
}

/**
 * Runs the command as OPERATOR, through the same use cases as the API. Returns the exit code: 0 done, 1 refused
 * or failed (`error: …` on stderr). Anything else is unexpected and thrown.
 */
export async function runCommand(invocation: Invocation, tools: AdminTools, io: Stdio = process): Promise<number> {
  try {
    await HANDLERS[invocation.command](invocation, tools, io);
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError || err instanceof Failure)) throw err;
    io.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
}

type Handler = (invocation: Invocation, tools: AdminTools, io: Stdio) => Promise<void>;

const HANDLERS: Record<CommandName, Handler> = {
  'create-user': async ({ args, options }, { createUser }, io) => {
    const username = args[0]!;
    parseUsername(username); // a bad name fails before the password is asked for
    const password = await readPassword(io);
    const role = options.admin ? 'admin' : 'user';
    // OPERATOR is an admin, so either role may be created; user.created records the nil UUID as its creator.
    print(io, JSON.stringify(await createUser.execute({ username, password, role }, OPERATOR)));
  },

  'list-users': async ({ options }, { listUsers }, io) => {
    const page = await listUsers.execute({ limit: options.limit, after: options.after }, OPERATOR);
    if (options.json) page.users.forEach((user) => print(io, JSON.stringify(user)));
    else print(io, userTable(page.users));
    const same = `${options.json ? ' --json' : ''}${options.limit === undefined ? '' : ` --limit ${options.limit}`}`;
    if (page.nextCursor) hint(io, `more: npm run --silent cli -- list-users${same} --after ${page.nextCursor}`);
  },

  'set-role': async ({ args }, { users, changeRole }, io) => {
    const userId = await idOf(args[0]!, users);
    print(io, JSON.stringify(await changeRole.execute({ userId, role: args[1]! }, OPERATOR)));
  },

  'disable-user': async ({ args, options }, { users, setAccountStatus }, io) => {
    const userId = await idOf(args[0]!, users);
    print(io, JSON.stringify(await setAccountStatus.execute({ userId, status: 'disabled', reason: options.reason }, OPERATOR)));
  },

  'enable-user': async ({ args, options }, { users, setAccountStatus }, io) => {
    const userId = await idOf(args[0]!, users);
    print(io, JSON.stringify(await setAccountStatus.execute({ userId, status: 'active', reason: options.reason }, OPERATOR)));
  },

  'show-user': async ({ args }, { users, getUser }, io) => {
    const userId = await idOf(args[0]!, users);
    print(io, JSON.stringify(await getUser.execute({ userId }, OPERATOR)));
  },

  'delete-user': async ({ args }, { users, getUser, deleteUser }, io) => {
    const userId = await idOf(args[0]!, users);
    const user = await getUser.execute({ userId }, OPERATOR); // printed as it was: the id is all that remains
    await deleteUser.execute({ userId }, OPERATOR);
    print(io, JSON.stringify(user));
  },

  'reset-password': async ({ args }, { users, getUser, changePassword }, io) => {
    const userId = await idOf(args[0]!, users);
    const user = await getUser.execute({ userId }, OPERATOR); // an unknown id fails before the password is asked for
    const newPassword = await readPassword(io);
    // As an admin for another account: no current password; every session of the account ends.
    await changePassword.execute({ userId, newPassword }, OPERATOR);
    print(io, JSON.stringify(user));
  },

  'end-sessions': async ({ args }, { users, endSessions }, io) => {
    const userId = await idOf(args[0]!, users);
    const ended = await endSessions.execute({ userId }, OPERATOR);
    print(io, JSON.stringify({ userId, sessionsEnded: ended }));
  },

  unlock: async ({ args }, { users, unlockAccount }, io) => {
    const userId = await idOf(args[0]!, users);
    print(io, JSON.stringify(await unlockAccount.execute({ userId }, OPERATOR)));
  },

  'rotate-token-key': async (_invocation, { keyRing }, io) => {
    if (!keyRing) {
      throw new Failure('TOKEN_KEY_SECRET is not set: a key made here would be sealed under a secret the service does not have');
    }
    print(io, JSON.stringify(await keyRing.rotateNow()));
  },

  'outbox-status': async ({ options }, { outbox, mail, clock }, io) => {
    const { pending, oldestAgeMs } = await outbox.lag(clock.now());
    const { published, parked } = await outbox.counts();
    const parkedEvents = parked > 0 ? await outbox.parked(PARKED_SHOWN) : [];
    const mailCounts = await mail.counts();
    const parkedMessages = mailCounts.parked > 0 ? await mail.parked(PARKED_SHOWN) : [];
    const status = { pending, oldestPendingAgeMs: oldestAgeMs, parked, parkedEvents, published, mail: { ...mailCounts, parkedMessages } };
    if (options.json) print(io, JSON.stringify(status));
    else outboxLines(status).forEach((line) => print(io, line));
  },
};

/** How many parked rows are listed: they need a person's attention, but not a screenful each. */
const PARKED_SHOWN = 20;

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
