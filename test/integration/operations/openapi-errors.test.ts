import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { operations } from '../../../src/adapters/http/openapi.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { codeForStep } from '../../support/totp.js';
import { opsSuite, PASSWORD, register, uniqueName, wired, type Wired } from './helpers.js';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

/** The operations served behind the session and cross-site checks, as "METHOD /path". */
const apiOperations = operations.filter((op) => !op.operational);
const pathOf = (path: string) => path.replace('{id}', randomUUID());

/** A logged-in admin, made by the system as the command line does. */
async function adminAgent({ app, container }: Wired): Promise<request.Agent> {
  const username = uniqueName('admin');
  await container.get(CreateUser).execute({ username, password: PASSWORD, role: 'admin' }, 'system');
  const admin = request.agent(app.callback());
  await admin.post('/login').send({ username, password: PASSWORD }).expect(200);
  return admin;
}

/** The statuses the served document lists for an operation. */
function documentedStatuses(doc: Doc, method: string, path: string): number[] {
  return Object.keys(doc.paths[path]?.[method]?.responses ?? {}).map(Number);
}

describe('the OpenAPI document, for each operation, lists every status it answers', function () {
  const suite = opsSuite();
  let w: Wired;
  let doc: Doc;
  const served = async (app: Wired['app']) => (await request(app.callback()).get('/openapi.json').expect(200)).body as Doc;

  before(async () => {
    w = wired(suite.db);
    doc = await served(w.app);
  });

  it('POST /login: a refused body, wrong password, disabled account, throttled client, refused cross-site', async () => {
    const { app } = wired(suite.db, { LOGIN_LIMITS_ACCOUNT: '2/60' });
    const account = await register(app);
    const disabled = await register(app);
    const admin = await adminAgent(w);
    await admin.put(`/users/${disabled.id}/status`).send({ status: 'disabled' }).expect(200);
    const login = () => request(app.callback()).post('/login');
    const answers = [
      await login().send({ username: account.username }),
      await login().set('Content-Type', 'text/plain').send('username=x'),
      await login().send({ username: account.username, password: 'x'.repeat(200_000) }),
      await login().send({ username: disabled.username, password: PASSWORD }),
      await login()
        .set('Origin', 'https://elsewhere.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ ...account, password: PASSWORD }),
      await login().send({ username: account.username, password: 'not the password' }),
      await login().send({ username: account.username, password: 'not the password' }),
      await login().send({ username: account.username, password: 'not the password' }),
    ];
    const statuses = [...new Set(answers.map((res) => res.status))].sort();
    expect(statuses, 'the answers this test provoked').to.deep.equal([400, 401, 403, 413, 415, 429]);
    expect(documentedStatuses(doc, 'post', '/login')).to.include.members(statuses);
  });

  it('every state-changing operation: 403 for a cross-site request from a browser', async () => {
    const missing: string[] = [];
    for (const op of apiOperations.filter((o) => o.method !== 'get')) {
      const res = await request(w.app.callback())
        [op.method](pathOf(op.path))
        .set('Origin', 'https://elsewhere.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({});
      expect(res.status, `${op.method} ${op.path}`).to.equal(403);
      if (!documentedStatuses(doc, op.method, op.path).includes(403)) missing.push(`${op.method} ${op.path}`);
    }
    expect(missing, 'answered 403 but not documented').to.deep.equal([]);
  });

  it('every operation behind the second-factor gate: what an admin without one is answered (MFA_REQUIRED_FOR_ADMINS)', async () => {
    const admin = await adminAgent(wired(suite.db, { MFA_REQUIRED_FOR_ADMINS: 'true' }));
    const undocumented: string[] = [];
    // Reads only: a write could change the account the next request is made with.
    for (const op of apiOperations.filter((o) => o.method === 'get')) {
      const res = await admin.get(pathOf(op.path));
      if (res.status >= 400 && !documentedStatuses(doc, op.method, op.path).includes(res.status)) {
        undocumented.push(`${op.method} ${op.path}: ${res.status} ${(res.body as { code?: string }).code}`);
      }
    }
    expect(undocumented, 'answered but not documented').to.deep.equal([]);
  });

  it('every operation but finishing the login: 401 for a half-done login (password proven, second factor not)', async () => {
    const { app } = wired(suite.db);
    const account = await register(app);
    const full = request.agent(app.callback());
    await full.post('/login').send({ username: account.username, password: PASSWORD }).expect(200);
    const { secret } = (await full.post('/mfa/totp').expect(200)).body as { secret: string };
    await full
      .post('/mfa/totp/confirm')
      .send({ code: codeForStep(secret, Math.floor(Date.now() / 30_000)) })
      .expect(200);
    const half = request.agent(app.callback());
    const started = await half.post('/login').send({ username: account.username, password: PASSWORD }).expect(200);
    expect(started.body.mfaRequired).to.equal(true);
    const undocumented: string[] = [];
    // Logging out ends the half-done session: last.
    const loggingOut = (op: { method: string; path: string }) => op.method === 'post' && op.path === '/logout';
    for (const op of [...apiOperations.filter((o) => !loggingOut(o)), ...apiOperations.filter(loggingOut)]) {
      const res = await half[op.method](pathOf(op.path)).send({});
      if (res.status >= 400 && !documentedStatuses(doc, op.method, op.path).includes(res.status)) {
        undocumented.push(`${op.method} ${op.path}: ${res.status} ${(res.body as { code?: string }).code}`);
      }
    }
    expect(undocumented, 'answered but not documented').to.deep.equal([]);
  });
});
