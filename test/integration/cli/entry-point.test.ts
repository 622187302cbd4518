import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { testApp } from '../../support/test-app.js';
import { jsonLines, mysqlDatabase, runCli, sqliteDatabase, type CliDatabase } from './helpers.js';

const PASSWORD = 'correct horse battery';

/**
 * What only a real process shows: its stdin is a pipe, not a terminal; its exit code; what reaches its own
 * stdout and stderr. A process start costs seconds, so these are few: commands.test.ts and usage.test.ts run
 * everything else in this process.
 */
describe('npm run cli as a process, on SQLite', function () {
  this.timeout(30_000);
  let target: CliDatabase;
  let app: Koa;
  const cli = (args: string[], input?: string, env: Record<string, string> = {}) => runCli(args, { ...target.env, ...env }, input);

  before(() => {
    target = sqliteDatabase();
    app = testApp(target.db).app; // queries nothing until a request: the cli creates the tables
  });
  after(async () => target?.dispose());

  it('reads the password from the first line of stdin when it is not a terminal, and the account logs in', async () => {
    const run = await cli(['create-user', 'Grace'], `${PASSWORD}\nignored second line\n`);
    // Outside production the only line on stderr names the database; stdout is the output alone.
    expect(run, run.stderr).to.include({ code: 0, stderr: `database: sqlite:${target.env.SQLITE_FILE}\n` });
    const [user, ...rest] = jsonLines(run.stdout);
    expect(rest).to.be.empty;
    expect(user).to.include({ username: 'grace', role: 'user' });
    await request(app.callback()).post('/login').send({ username: 'grace', password: PASSWORD }).expect(200);
  });

  it('refuses --password on the command line with exit 2, never echoes it, and creates nothing', async () => {
    const run = await cli(['create-user', 'mallory', '--password', 'hunter2 hunter2'], `${PASSWORD}\n`);
    expect(run).to.include({ code: 2, stdout: '' });
    expect(run.stderr).to.match(/^error: a password is never taken from the command line/);
    expect(run.stderr).to.include('usage:').and.not.to.include('hunter2');
    expect(await target.db('users').where({ username: 'mallory' })).to.be.empty;
  });

  it('exits 1 on a domain error, with `error: …` on stderr and nothing on stdout', async () => {
    const taken = await cli(['create-user', 'GRACE'], `${PASSWORD}\n`);
    expect(taken).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: `database: sqlite:${target.env.SQLITE_FILE}\nerror: This username is already taken\n`,
    });
  });

  it('exits 2 on an unknown command, naming it above the usage', async () => {
    const run = await cli(['frob']);
    expect(run).to.include({ code: 2, stdout: '' });
    expect(run.stderr.startsWith('error: unknown command "frob"\n'), run.stderr).to.equal(true);
    expect(run.stderr).to.include('\nusage: ');
  });

  it('exits 0 on help, with the usage on stdout', async () => {
    const run = await cli(['help']);
    expect(run).to.include({ code: 0, stderr: '' });
    expect(run.stdout).to.match(/^usage: authsvc-cli /);
  });

  it('names a database it cannot open, without its password, and what to do, with exit 1 and no stack', async () => {
    const run = await cli(['list-users'], undefined, { DATABASE_URL: 'mysql://someone:s3cret-pw@127.0.0.1:1/authsvc' });
    expect(run).to.include({ code: 1, stdout: '' });
    expect(run.stderr).to.equal(
      'database: mysql://someone@127.0.0.1:1/authsvc\n' +
        'error: cannot open the database mysql://someone@127.0.0.1:1/authsvc: nothing accepts connections at 127.0.0.1:1; ' +
        'start the database server, or correct the host and port in DATABASE_URL\n',
    );
  });

  it('keeps stdout for the output: log lines, when asked for, go to stderr', async () => {
    const run = await cli(['list-users', '--json'], undefined, { LOG_LEVEL: 'debug' });
    expect(run.code, run.stderr).to.equal(0);
    expect(jsonLines(run.stdout).map((u) => u.username)).to.deep.equal(['grace']); // every line is JSON
    expect(run.stderr).to.include('"msg":"DATABASE_URL is not set');
  });
});

describe('npm run cli as a process, on MySQL', function () {
  this.timeout(30_000);
  let target: CliDatabase;

  before(async function () {
    target = await mysqlDatabase(this);
  });
  after(async () => target?.dispose());

  it('migrates a fresh database and creates the user with the password piped to stdin', async () => {
    const run = await runCli(['create-user', 'ada', '--admin'], { ...target.env, NODE_ENV: 'production' }, `${PASSWORD}\n`);
    expect(run, run.stderr).to.include({ code: 0, stderr: '' }); // in production, nothing but the output
    expect(jsonLines(run.stdout)).to.have.length(1);
    expect(jsonLines(run.stdout)[0]).to.include({ username: 'ada', role: 'admin' });
    const app = testApp(target.db).app;
    const login = await request(app.callback()).post('/login').send({ username: 'ada', password: PASSWORD });
    expect(login.status).to.equal(200);
    expect(login.body).to.include({ username: 'ada', role: 'admin' });
  });
});
