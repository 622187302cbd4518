import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testApp, testEnv } from '../../support/test-app.js';
import { jsonLines, mysqlDatabase, sqliteDatabase, type CliDatabase } from './helpers.js';
import { openInProcess, type InProcessCli } from './in-process.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a new and longer passphrase';
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';

/** The service beside the cli: its own process state (memory blocks), the same database. Three failures lock an account. */
function accountCommandsOn(name: string, open: (ctx: Mocha.Context) => Promise<CliDatabase> | CliDatabase): void {
  describe(`npm run cli -- show-user, reset-password, end-sessions, unlock, delete-user on ${name}`, function () {
    this.timeout(30_000);
    let target: CliDatabase;
    let app: Koa;
    let inProcess: InProcessCli | undefined;
    let graceId: string;
    const cli = (args: string[], input?: string) => inProcess!.run(args, input);
    const logIn = (username: string, password = PASSWORD) => request(app.callback()).post('/login').send({ username, password });
    const cookieOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const me = (cookie: string) => request(app.callback()).get('/users/me').set('Cookie', cookie);

    before(async function () {
      target = await open(this);
      inProcess = await openInProcess(target.env);
      app = testApp(target.db, testEnv({ LOGIN_LIMITS_ACCOUNT: '3/600' })).app;
      const created = await cli(['create-user', 'grace'], `${PASSWORD}\n`);
      expect(created.code, created.stderr).to.equal(0);
      graceId = String(jsonLines(created.stdout)[0]!.id);
      expect((await cli(['create-user', 'root', '--admin'], `${PASSWORD}\n`)).code).to.equal(0);
    });
    after(async () => {
      await inProcess?.close();
      await target?.dispose();
    });

    it('show-user prints the user by name or by id, and names what it cannot find', async () => {
      const byName = await cli(['show-user', 'Grace']);
      expect(byName, byName.stderr).to.include({ code: 0, stderr: '' });
      const [user, ...rest] = jsonLines(byName.stdout);
      expect(rest).to.be.empty;
      expect(user).to.include({ id: graceId, username: 'grace', role: 'user', status: 'active' });
      expect(user).not.to.have.any.keys('password', 'passwordHash');
      const byId = await cli(['show-user', graceId]);
      expect(jsonLines(byId.stdout)[0]).to.deep.equal(user);
      expect(await cli(['show-user', 'nobody'])).to.deep.equal({ code: 1, stdout: '', stderr: 'error: no user is named "nobody"\n' });
      expect(await cli(['show-user', UNKNOWN_ID])).to.deep.equal({ code: 1, stdout: '', stderr: 'error: No user has this id\n' });
      expect((await cli(['show-user'])).code).to.equal(2);
    });

    it('end-sessions signs the user out everywhere and says how many sessions ended', async () => {
      const first = cookieOf(await logIn('grace').expect(200));
      const second = cookieOf(await logIn('grace').expect(200));
      const run = await cli(['end-sessions', 'grace']);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)).to.deep.equal([{ userId: graceId, sessionsEnded: 2 }]);
      await me(first).expect(401);
      await me(second).expect(401);
      const again = await cli(['end-sessions', graceId]);
      expect(jsonLines(again.stdout)).to.deep.equal([{ userId: graceId, sessionsEnded: 0 }]);
      const [event] = await target.db('outbox').where({ type: 'user.sessions_ended', aggregateid: graceId });
      expect(JSON.parse(event.payload)).to.include({ reason: 'ended-by-admin', endedBy: '00000000-0000-0000-0000-000000000000' });
      expect(await cli(['end-sessions', UNKNOWN_ID])).to.include({ code: 1, stderr: 'error: No user has this id\n' });
    });

    it('reset-password reads the new password from stdin: the old one and every session stop working', async () => {
      const session = cookieOf(await logIn('grace').expect(200));
      const run = await cli(['reset-password', 'grace'], `${NEW_PASSWORD}\nignored\n`);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)[0]).to.include({ id: graceId, username: 'grace' });
      await me(session).expect(401);
      await logIn('grace', PASSWORD).expect(401);
      await logIn('grace', NEW_PASSWORD).expect(200);
      const [entry] = await target.db('audit').where({ type: 'password.reset', subjectId: graceId });
      expect(entry).to.include({ actor: 'operator', outcome: 'success' });
      expect(JSON.stringify(entry)).not.to.include(NEW_PASSWORD);
    });

    it('reset-password refuses a weak or missing password, and an unknown user before asking, changing nothing', async () => {
      const weak = await cli(['reset-password', 'grace'], 'short\n');
      expect(weak).to.include({ code: 1, stdout: '' });
      expect(weak.stderr).to.match(/^error: newPassword: .+\n$/);
      const none = await cli(['reset-password', 'grace']);
      expect(none).to.include({ code: 1, stdout: '' });
      expect(none.stderr).to.match(/^error: no password on stdin/);
      expect(await cli(['reset-password', 'nobody'], `${PASSWORD}\n`)).to.include({
        code: 1,
        stderr: 'error: no user is named "nobody"\n',
      });
      expect((await cli(['reset-password', 'grace', '--password', 'hunter2 hunter2'])).code).to.equal(2);
      await logIn('grace', NEW_PASSWORD).expect(200);
    });

    it('unlock lets an account that failed sign-ins filled the throttle sign in again, on the running service too', async function () {
      this.timeout(20_000);
      for (let i = 0; i < 3; i += 1) await logIn('grace', 'a wrong password').expect(401);
      await logIn('grace', NEW_PASSWORD).expect(429); // the right password too, until the window ends
      const run = await cli(['unlock', 'grace']);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)[0]).to.include({ id: graceId, username: 'grace' });
      // The service refuses the account from its memory for a few seconds more, then asks the database again.
      const deadline = Date.now() + 10_000;
      let status = 429;
      while (status === 429 && Date.now() < deadline) {
        status = (await logIn('grace', NEW_PASSWORD)).status;
        if (status === 429) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(status).to.equal(200);
      const [entry] = await target.db('audit').where({ type: 'user.unlocked', subjectId: graceId });
      expect(entry).to.include({ actor: 'operator', outcome: 'success' });
      expect(await cli(['unlock', 'nobody'])).to.include({ code: 1, stderr: 'error: no user is named "nobody"\n' });
    });

    it('delete-user deletes the account, prints it as it was, and ends its sessions', async () => {
      const session = cookieOf(await logIn('grace', NEW_PASSWORD).expect(200));
      const run = await cli(['delete-user', 'grace']);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(jsonLines(run.stdout)[0]).to.include({ id: graceId, username: 'grace' });
      await me(session).expect(401);
      expect(await target.db('users').where({ id: graceId })).to.be.empty;
      const [event] = await target.db('outbox').where({ type: 'user.deleted', aggregateid: graceId });
      expect(event, 'a user.deleted event').to.exist;
      expect(await cli(['show-user', 'grace'])).to.include({ code: 1 });
      expect(await cli(['delete-user', 'grace'])).to.include({ code: 1, stderr: 'error: no user is named "grace"\n' });
    });

    it('delete-user refuses to delete the last admin', async () => {
      const run = await cli(['delete-user', 'root']);
      expect(run).to.deep.equal({ code: 1, stdout: '', stderr: 'error: The last active admin cannot be demoted, disabled or deleted\n' });
      expect(await target.db('users').where({ username: 'root' })).to.have.length(1);
    });
  });
}

accountCommandsOn('SQLite (the embedded default)', () => sqliteDatabase());
accountCommandsOn('MySQL', (ctx) => mysqlDatabase(ctx));
