import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { notRunWithout } from '../../support/hooks.js';
import { spawnProcess } from '../../support/spawn-process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real entry point, from the sources, until it exits (it should, at once). */
async function start(env: Record<string, string>): Promise<Run> {
  const run = spawnProcess('src/config/main.ts', { PORT: '0', HOST: '127.0.0.1', BCRYPT_COST: '4', ...env });
  const timer = setTimeout(() => void run.stop(), 45_000);
  const code = await run.exited.finally(() => clearTimeout(timer));
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

/** Every line on stdout is one JSON log line; nothing is on stderr; no stack and no password anywhere. */
function logLines(run: Run): Array<Record<string, unknown>> {
  expect(run.stderr, 'stderr').to.equal('');
  expect(run.stdout).not.to.include(PASSWORD);
  expect(run.stdout, 'a stack on stdout').not.to.match(/\n\s+at /);
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const line of lines) expect(line).not.to.have.any.keys('err', 'stack');
  return lines;
}

describe('the service on a database that is missing or refuses', function () {
  this.timeout(60_000);

  it('a server that is not there: one fatal line naming it without its password, and what to do; exit 1', async () => {
    const run = await start({ DATABASE_URL: `mysql://authsvc:${PASSWORD}@127.0.0.1:1/authsvc`, WEB_CONCURRENCY: '1' });
    expect(run.code, run.stdout).to.equal(1);
    const fatal = logLines(run).filter((l) => l.level === 60);
    expect(fatal.map((l) => l.msg)).to.deep.equal([
      'cannot open the database mysql://authsvc@127.0.0.1:1/authsvc: nothing accepts connections at 127.0.0.1:1; ' +
        'start the database server, or correct the host and port in DATABASE_URL',
    ]);
  });

  it('in a cluster, the worker says why and the primary only that a worker could not start', async () => {
    const run = await start({ DATABASE_URL: `mysql://authsvc:${PASSWORD}@127.0.0.1:1/authsvc`, WEB_CONCURRENCY: '2' });
    expect(run.code, run.stdout).to.equal(1);
    const lines = logLines(run);
    expect(lines.filter((l) => l.level === 60).map((l) => String(l.msg).split(':')[0])).to.deep.equal([
      'cannot open the database mysql',
      'a worker could not start (exit code 78)',
    ]);
    expect(
      lines.filter((l) => l.level === 50),
      'error lines',
    ).to.deep.equal([]);
  });

  it('a database that does not exist on the server: "create the database first"', async function () {
    const server = process.env.TEST_DATABASE_URL;
    if (!server) notRunWithout(this, 'no TEST_DATABASE_URL: needs a MySQL server to refuse the name');
    const url = new URL(server);
    const name = `authsvc_missing_${randomBytes(4).toString('hex')}`;
    url.pathname = `/${name}`;
    const run = await start({ DATABASE_URL: url.toString(), WEB_CONCURRENCY: '1' });
    expect(run.code, run.stdout).to.equal(1);
    const [fatal, ...more] = logLines(run).filter((l) => l.level === 60);
    expect(more).to.deep.equal([]);
    expect(fatal!.msg).to.match(
      new RegExp(
        `^cannot open the database mysql://[^@]*@?${url.host}/${name}: the database "${name}" does not exist; create the database first`,
      ),
    );
    // Start-up said which database it tried, by host and name.
    const said = logLines(run).find((l) => l.msg === 'database: MySQL');
    expect(said).to.include({ host: url.hostname, name });
  });
});
