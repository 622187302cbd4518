import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testApp } from '../../support/test-app.js';
import { mysqlDatabase, sqliteDatabase, type CliDatabase } from './helpers.js';
import { openInProcess, type InProcessCli } from './in-process.js';

const PASSWORD = 'correct horse battery';
const OPERATOR_ID = '00000000-0000-0000-0000-000000000000';

function statusCommandsOn(name: string, open: (ctx: Mocha.Context) => Promise<CliDatabase> | CliDatabase): void {
  describe(`npm run cli -- disable-user / enable-user on ${name}`, function () {
    let target: CliDatabase;
    let app: Koa;
    let inProcess: InProcessCli | undefined;
    const cli = (args: string[], input?: string) => inProcess!.run(args, input);
    const logIn = (username: string) => request(app.callback()).post('/login').send({ username, password: PASSWORD });

    before(async function () {
      target = await open(this);
      app = testApp(target.db).app;
      inProcess = await openInProcess(target.env);
      expect((await cli(['create-user', 'grace'], `${PASSWORD}\n`)).code).to.equal(0);
      expect((await cli(['create-user', 'root', '--admin'], `${PASSWORD}\n`)).code).to.equal(0);
    });
    after(async () => {
      await inProcess?.close();
      await target?.dispose();
    });

    it('disable-user disables by name with a reason, as the operator: sessions end, sign-in answers 403', async () => {
      const session = (await logIn('grace').expect(200)).headers['set-cookie'] as unknown as string[];
      const run = await cli(['disable-user', 'grace', '--reason', 'on leave']);
      expect(run, run.stderr).to.include({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).to.include({ username: 'grace', status: 'disabled', statusReason: 'on leave' });
      await request(app.callback())
        .get('/users/me')
        .set('Cookie', session.map((c) => c.split(';')[0]).join('; '))
        .expect(401);
      expect((await logIn('grace')).status).to.equal(403);
      const [event] = await target.db('outbox').where({ type: 'user.disabled' });
      expect(JSON.parse(event.payload)).to.include({ reason: 'on leave', disabledBy: OPERATOR_ID });
      const [entry] = await target.db('audit').where({ type: 'user.disabled' });
      expect(entry).to.include({ actor: 'operator', client: null });
    });

    it('enable-user enables by id, and the account signs in again', async () => {
      const { id } = await target.db('users').where({ username: 'grace' }).first('id');
      const run = await cli(['enable-user', id]);
      expect(run, run.stderr).to.include({ code: 0 });
      expect(JSON.parse(run.stdout)).to.include({ id, status: 'active', statusReason: null });
      await logIn('grace').expect(200);
    });

    it('refuses to disable the last active admin (exit 1), and names an unknown user', async () => {
      const last = await cli(['disable-user', 'root']);
      expect(last.code).to.equal(1);
      expect(last.stderr).to.match(/^error: The last active admin/);
      expect(await target.db('users').where({ username: 'root' }).first('status')).to.deep.equal({ status: 'active' });
      const unknown = await cli(['enable-user', 'nobody']);
      expect(unknown).to.include({ code: 1, stderr: 'error: no user is named "nobody"\n' });
      expect((await cli(['disable-user'])).code).to.equal(2);
      expect((await cli(['disable-user', 'grace', '--admin'])).code).to.equal(2);
    });
  });
}

statusCommandsOn('SQLite (the embedded default)', () => sqliteDatabase());
statusCommandsOn('MySQL', (ctx) => mysqlDatabase(ctx));
