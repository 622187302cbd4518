import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testApp } from '../../support/test-app.js';
import { jsonLines, mysqlDatabase, sqliteDatabase, type CliDatabase } from './helpers.js';
import { openInProcess, type InProcessCli } from './in-process.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORD = 'correct horse battery';
/** The actor an operator at the command line is recorded as in events. */
const OPERATOR_ID = '00000000-0000-0000-0000-000000000000';

/**
 * One story per database, in order: the accounts made by the first tests are listed, promoted and counted by
 * the later ones. The commands run in this process, over the cli's own wiring opened once (a process start
 * costs seconds); entry-point.test.ts runs the real process for what only it can show.
 */
function commandsOn(name: string, open: (ctx: Mocha.Context) => Promise<CliDatabase> | CliDatabase): void {
  describe(`npm run cli on ${name}`, function () {
    let target: CliDatabase;
    let app: Koa;
    let inProcess: InProcessCli | undefined;
    const cli = (args: string[], input?: string) => inProcess!.run(args, input);
    const logIn = (username: string, password = PASSWORD) => request(app.callback()).post('/login').send({ username, password });
    const roleOf = async (username: string) => (await target.db('users').where({ username }).first('role'))?.role;

    before(async function () {
      target = await open(this);
      app = testApp(target.db).app; // queries nothing until a request: the cli creates the tables
      inProcess = await openInProcess(target.env);
    });
    after(async () => {
      await inProcess?.close();
      await target?.dispose();
    });

    it('create-user reads the password from stdin, and the new account logs in over HTTP', async () => {
      const run = await cli(['create-user', 'Grace'], `${PASSWORD}\n`);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      const [user, ...rest] = jsonLines(run.stdout);
      expect(rest).to.be.empty;
      expect(user).to.include({ username: 'grace', role: 'user' });
      expect(user!.id).to.match(UUID_V7);
      expect(user).not.to.have.any.keys('password', 'passwordHash');
      const login = await logIn('grace').expect(200);
      expect(login.body).to.deep.equal({ id: user!.id, username: 'grace', role: 'user' });
      await logIn('grace', 'not the password').expect(401);
    });

    it('create-user --admin makes an admin, who logs in as one', async () => {
      const run = await cli(['create-user', 'root', '--admin'], `${PASSWORD}\nignored second line\n`);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)[0]).to.include({ username: 'root', role: 'admin' });
      expect((await logIn('root').expect(200)).body.role).to.equal('admin');
    });

    it('create-user acts as the operator: user.created records the nil UUID as createdBy', async () => {
      const rows = await target.db('outbox').where({ type: 'user.created' }).orderBy('seq');
      const payloads = rows.map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload));
      expect(payloads.map((p) => [p.username, p.role, p.createdBy])).to.deep.equal([
        ['grace', 'user', OPERATOR_ID],
        ['root', 'admin', OPERATOR_ID],
      ]);
    });

    it('refuses a password on the command line with exit 2, never echoes it, and creates nothing', async () => {
      for (const args of [
        ['create-user', 'mallory', '--password', 'hunter2 hunter2'],
        ['create-user', 'mallory', '--password=hunter2 hunter2', '--admin'],
        ['create-user', 'mallory', 'hunter2 hunter2'], // a stray positional is refused too
      ]) {
        const run = await cli(args, `${PASSWORD}\n`);
        expect(run.code, args.join(' ')).to.equal(2);
        expect(run.stdout).to.equal('');
        expect(run.stderr)
          .to.match(/^error: /)
          .and.to.include('usage:')
          .and.not.to.include('hunter2');
      }
      const refused = await cli(['create-user', 'mallory', '--password', 'x']);
      expect(refused.stderr).to.match(/^error: a password is never taken from the command line/);
      expect(await target.db('users').where({ username: 'mallory' })).to.be.empty;
    });

    it('answers a taken name and a weak or missing password with `error: …` and exit 1', async () => {
      const taken = await cli(['create-user', 'GRACE'], `${PASSWORD}\n`);
      expect(taken).to.deep.equal({ code: 1, stdout: '', stderr: 'error: This username is already taken\n' });
      const weak = await cli(['create-user', 'weakling'], 'short\n');
      expect(weak).to.include({ code: 1, stdout: '' });
      expect(weak.stderr).to.match(/^error: password: .+\n$/);
      const none = await cli(['create-user', 'nobody']);
      expect(none).to.include({ code: 1, stdout: '' });
      expect(none.stderr).to.match(/^error: no password on stdin/);
      expect(await target.db('users').whereIn('username', ['weakling', 'nobody'])).to.be.empty;
    });

    it('list-users prints a table, or JSON lines with --json, oldest first', async () => {
      const table = await cli(['list-users']);
      expect(table, table.stderr).to.include({ code: 0, stderr: '' });
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      expect(header!.split(/\s+/)).to.deep.equal(['ID', 'USERNAME', 'ROLE', 'CREATED']);
      expect(rows.map((row) => row.split(/\s+/).slice(1, 3))).to.deep.equal([
        ['grace', 'user'],
        ['root', 'admin'],
      ]);

      const json = await cli(['list-users', '--json']);
      expect(json.code).to.equal(0);
      expect(jsonLines(json.stdout).map((u) => [u.username, u.role])).to.deep.equal([
        ['grace', 'user'],
        ['root', 'admin'],
      ]);
    });

    it('list-users pages with --limit and --after, and says on stderr how to get the next page', async () => {
      const first = await cli(['list-users', '--json', '--limit', '1']);
      expect(jsonLines(first.stdout).map((u) => u.username)).to.deep.equal(['grace']);
      const cursor = /--after (\S+)/.exec(first.stderr)?.[1];
      expect(cursor, first.stderr).to.be.a('string');
      const second = await cli(['list-users', '--json', '--limit', '1', '--after', cursor!]);
      expect(jsonLines(second.stdout).map((u) => u.username)).to.deep.equal(['root']);
      expect(second.stderr).to.equal('');
      const tooMany = await cli(['list-users', '--limit', '1000']);
      expect(tooMany).to.include({ code: 1, stdout: '' });
      expect(tooMany.stderr).to.match(/^error: limit: /);
    });

    it('set-role promotes by username and demotes by id, printing the user; the next login sees it', async () => {
      const promoted = await cli(['set-role', 'grace', 'admin']);
      expect(promoted, promoted.stderr).to.include({ code: 0, stderr: '' });
      const user = jsonLines(promoted.stdout)[0]!;
      expect(user).to.include({ username: 'grace', role: 'admin' });
      expect((await logIn('grace').expect(200)).body.role).to.equal('admin');

      const demoted = await cli(['set-role', String(user.id), 'user']);
      expect(demoted.code, demoted.stderr).to.equal(0);
      expect(jsonLines(demoted.stdout)[0]).to.include({ id: user.id, role: 'user' });
      expect(await roleOf('grace')).to.equal('user');
    });

    it('set-role refuses to demote the last admin: exit 1, and it stays an admin', async () => {
      const run = await cli(['set-role', 'root', 'user']);
      expect(run).to.deep.equal({ code: 1, stdout: '', stderr: 'error: The last active admin cannot be demoted, disabled or deleted\n' });
      expect(await roleOf('root')).to.equal('admin');
    });

    it('set-role names what it cannot find or accept', async () => {
      const unknownName = await cli(['set-role', 'nobody', 'admin']);
      expect(unknownName).to.deep.equal({ code: 1, stdout: '', stderr: 'error: no user is named "nobody"\n' });
      const unknownId = await cli(['set-role', '01900000-0000-7000-8000-000000000000', 'admin']);
      expect(unknownId).to.deep.equal({ code: 1, stdout: '', stderr: 'error: No user has this id\n' });
      const badRole = await cli(['set-role', 'grace', 'root']);
      expect(badRole).to.include({ code: 1, stdout: '' });
      expect(badRole.stderr).to.match(/^error: role: must be one of user, admin\n$/);
    });

    it('outbox-status reports the pending events, the user.created ones among them', async () => {
      const pending = await target.db('outbox').whereNull('publishedAt').whereNull('parkedAt').orderBy('seq');
      const created = pending.filter((row) => row.type === 'user.created');
      expect(created).to.have.length(2); // grace and root; nothing refused left an event
      const json = await cli(['outbox-status', '--json']);
      expect(json, json.stderr).to.include({ code: 0, stderr: '' });
      const status = jsonLines(json.stdout)[0]!;
      expect(status).to.include({ pending: pending.length, parked: 0, published: 0 });
      expect(status.parkedEvents).to.deep.equal([]);
      expect(status.oldestPendingAgeMs).to.be.a('number').and.at.least(0);

      const text = await cli(['outbox-status']);
      expect(text.code).to.equal(0);
      expect(text.stdout).to.match(
        new RegExp(
          `^pending +${pending.length} \\(the oldest for .+\\)\\nparked +0\\npublished +0\\nmail pending +\\d+\\nmail parked +0\\nmail sent +0\\n$`,
        ),
      );
    });

    it('outbox-status counts parked rows, with their error, and published ones', async () => {
      const [first, second] = await target.db('outbox').whereNull('publishedAt').orderBy('seq').limit(2);
      await target.db('outbox').where({ seq: first.seq }).update({ parkedAt: new Date(), lastError: 'payload: not JSON\nat line 1' });
      await target.db('outbox').where({ seq: second.seq }).update({ publishedAt: new Date() });

      const status = jsonLines((await cli(['outbox-status', '--json'])).stdout)[0]!;
      expect(status).to.include({ parked: 1, published: 1 });
      expect(status.parkedEvents).to.have.length(1);
      expect((status.parkedEvents as Array<Record<string, unknown>>)[0]).to.include({
        seq: Number(first.seq),
        type: first.type,
        aggregateId: first.aggregateid,
        lastError: 'payload: not JSON\nat line 1',
      });
      const text = await cli(['outbox-status']);
      expect(text.stdout).to.match(/^parked +1\n {2}seq \d+ +user\.created +user \S+ +parked \S+: payload: not JSON\npublished +1$/m);
    });

    it('keeps stdout for the output: log lines, when asked for, go to stderr', async () => {
      const verbose = await openInProcess({ ...target.env, LOG_LEVEL: 'debug' });
      try {
        const run = await verbose.run(['list-users', '--json']);
        expect(run.code, run.stderr).to.equal(0);
        expect(jsonLines(run.stdout).map((u) => u.username)).to.deep.equal(['grace', 'root']);
        // Only the embedded database is announced at info level, so only there is a log line sure to be seen.
        const logged = verbose.openingLog + run.stderr;
        if (target.env.SQLITE_FILE) expect(logged).to.include('"msg":"DATABASE_URL is not set');
      } finally {
        await verbose.close();
      }
    });
  });
}

commandsOn('SQLite (the embedded default)', () => sqliteDatabase());
commandsOn('MySQL', (ctx) => mysqlDatabase(ctx));
