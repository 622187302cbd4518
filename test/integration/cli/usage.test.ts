import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runMain } from './in-process.js';

// In this process, through the entry point's own `main`: none of these runs gets as far as opening a database.
describe('npm run cli, called wrong', function () {
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'authsvc-cli-'));
    env = { SQLITE_FILE: join(dir, 'authsvc.sqlite') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [why, args] of [
    ['help', ['help']],
    ['--help', ['--help']],
    ['a command with --help', ['list-users', '--help']],
  ] as const) {
    it(`prints the usage on stdout and exits 0 for ${why}`, async () => {
      const run = await runMain([...args], env);
      expect(run).to.include({ code: 0, stderr: '' });
      expect(run.stdout).to.match(/^usage: authsvc-cli <command>/);
      const commands = ['create-user', 'list-users', 'show-user', 'set-role', 'reset-password', 'end-sessions', 'unlock'];
      commands.push('disable-user', 'enable-user', 'delete-user', 'rotate-token-key', 'outbox-status', 'help');
      for (const command of commands) expect(run.stdout).to.match(new RegExp(`\\n  ${command}\\b`));
    });
  }

  for (const [args, message] of [
    [[], 'error: no command given'],
    [['frob'], 'error: unknown command "frob"'],
    [['show-user'], 'error: show-user takes <username-or-id>'],
    [['delete-user', 'a', 'b'], 'error: delete-user takes <username-or-id>'],
    [['unlock', 'ada', '--reason', 'x'], 'error: unlock does not take --reason'],
    [['rotate-token-key', 'now'], 'error: rotate-token-key takes no arguments'],
    [['create-user'], 'error: create-user takes <name>'],
    [['set-role', 'ada'], 'error: set-role takes <username-or-id> <user|admin>'],
    [['list-users', 'extra'], 'error: list-users takes no arguments'],
    [['list-users', '--admin'], 'error: list-users does not take --admin'],
    [['list-users', '--limit', 'ten'], 'error: --limit takes a whole number'],
    [['outbox-status', '--verbose'], "error: Unknown option '--verbose'"],
  ] as const) {
    it(`refuses \`${args.join(' ')}\` with exit 2, naming the mistake above the usage`, async () => {
      const run = await runMain([...args], env);
      expect(run).to.include({ code: 2, stdout: '' });
      expect(run.stderr.startsWith(message), run.stderr).to.equal(true);
      expect(run.stderr).to.include('\nusage: ');
    });
  }

  it('touches no database before the command line is understood', () => {
    expect(existsSync(env.SQLITE_FILE!)).to.equal(false);
  });

  it('refuses, with NODE_ENV=production and no DATABASE_URL, to make an empty SQLite database', async () => {
    const run = await runMain(['list-users'], { NODE_ENV: 'production' });
    expect(run).to.include({ code: 1, stdout: '' });
    expect(run.stderr).to.match(/^error: DATABASE_URL is not set, and with NODE_ENV=production no embedded SQLite database is made/);
  });

  it('reports a bad environment by variable name, with exit 1', async () => {
    const run = await runMain(['list-users'], { ...env, BCRYPT_COST: '99' });
    expect(run).to.include({ code: 1, stdout: '' });
    expect(run.stderr).to.match(/^error: Invalid environment:\n {2}- BCRYPT_COST: /);
  });
});
