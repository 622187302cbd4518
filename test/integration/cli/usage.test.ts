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
    ['no command', []],
    ['help', ['help']],
    ['--help', ['list-users', '--help']],
  ] as const) {
    it(`prints the usage on stderr and exits 2 for ${why}`, async () => {
      const run = await runMain([...args], env);
      expect(run).to.include({ code: 2, stdout: '' });
      expect(run.stderr).to.match(/^usage: npm run --silent cli -- <command>/);
      for (const command of ['create-user', 'list-users', 'set-role', 'outbox-status']) expect(run.stderr).to.include(command);
    });
  }

  for (const [args, message] of [
    [['frob'], 'error: unknown command "frob"'],
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

  it('reports a bad environment by variable name, with exit 1', async () => {
    const run = await runMain(['list-users'], { ...env, BCRYPT_COST: '99' });
    expect(run).to.include({ code: 1, stdout: '' });
    expect(run.stderr).to.match(/^error: Invalid environment:\n {2}- BCRYPT_COST: /);
  });
});
