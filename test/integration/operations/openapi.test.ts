import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import type Koa from 'koa';
import request from 'supertest';
import { operations } from '../../../src/adapters/http/openapi.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { opsSuite, PASSWORD, uniqueName, wired, type Wired } from './helpers.js';

type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>> };

/** Routes that are served on purpose without an operation of their own. */
const UNDOCUMENTED = new Set(['GET /docs/{asset}']); // Swagger UI's files, under /docs

/** "METHOD /path/{param}" for every route of every router the app mounts (HEAD is implied by GET). */
function servedRoutes(app: Koa): string[] {
  const routers = app.middleware.flatMap((m) => {
    const router = (m as { router?: Router }).router;
    return router ? [router] : [];
  });
  const routes = routers.flatMap((router) =>
    router.stack.flatMap((layer) => {
      const path = String(layer.path)
        .replace(/:(\w+)/g, '{$1}')
        .replace(/(.)\/$/, '$1');
      return layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${path}`);
    }),
  );
  return [...new Set(routes)].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe('the OpenAPI document', function () {
  const suite = opsSuite();
  let w: Wired;
  let doc: Doc;

  before(async () => {
    w = wired(suite.db);
    const res = await request(w.app.callback())
      .get('/openapi.json')
      .expect(200)
      .expect('Content-Type', /^application\/json/);
    doc = res.body as Doc;
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).to.match(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.valid, JSON.stringify(result.errors, null, 2)).to.equal(true);
  });

  it('documents every route the routers serve, with its method', () => {
    const served = servedRoutes(w.app);
    expect(served, 'routes found on the app').to.include.members(['POST /users', 'GET /users/{id}', 'POST /login', 'GET /health/ready']);
    const missing = served.filter((r) => !UNDOCUMENTED.has(r) && !documented(doc).includes(r));
    expect(missing, 'served but not documented').to.deep.equal([]);
  });

  it('serves every documented operation: none answers 404 or 405', async () => {
    const served = servedRoutes(w.app);
    // /users/me/… is served by the /users/{id}/… route, `me` naming the caller (the request below shows it answers).
    const routed = (op: string) => served.includes(op) || served.includes(op.replace(' /users/me/', ' /users/{id}/'));
    expect(
      documented(doc).filter((op) => !routed(op)),
      'documented but no router has it',
    ).to.deep.equal([]);
    for (const op of documented(doc)) {
      const [method, path] = op.split(' ') as [string, string];
      // Anonymous, with an empty JSON body: a route that exists answers 400/401, never "no such route".
      const res = await request(w.app.callback())[method.toLowerCase() as 'get'](path.replace('{id}', randomUUID())).send({});
      expect(res.status, `${op} answered ${res.status}`).not.to.be.oneOf([404, 405]);
    }
  });

  it('has an example for every request body, and each passes the zod schema of its operation', () => {
    const withBody = operations.filter((op) => op.body);
    expect(withBody.map((op) => `${op.method} ${op.path}`)).to.have.length.greaterThan(0);
    for (const op of withBody) {
      const example = doc.paths[op.path]?.[op.method]?.requestBody?.content['application/json']?.example;
      expect(example, `example of ${op.method} ${op.path} in the served document`).to.deep.equal(op.example).and.not.equal(undefined);
      const parsed = op.body!.safeParse(example);
      expect(parsed.success, `${op.method} ${op.path}: ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
    }
  });

  it('has request examples that the live API accepts, sent in a sensible order', async () => {
    const example = (method: string, path: string) => operations.find((op) => op.method === method && op.path === path)!.example as object;
    const user = request.agent(w.app.callback());
    const admin = request.agent(w.app.callback());
    const adminName = uniqueName('admin');
    await w.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    await admin.post('/login').send({ username: adminName, password: PASSWORD }).expect(200);

    const sent: string[] = [];
    const lastToken = async (userId: string, kind: string): Promise<string> => {
      const row = await suite.db('mail_outbox').where({ userId, kind }).orderBy('seq', 'desc').first('params');
      return JSON.parse(row.params).token;
    };
    // A token cannot be known in advance: the one the service queued replaces the example's placeholder.
    const send = async (method: 'post' | 'put', path: string, agent: typeof user, id = '', token?: string) => {
      sent.push(`${method} ${path}`);
      const res = await agent[method](path.replace('{id}', id)).send({ ...example(method, path), ...(token && { token }) });
      const expected = operations.find((op) => op.method === method && op.path === path)!.success.status;
      expect(res.status, `${method} ${path} with its example: ${JSON.stringify(res.body)}`).to.equal(expected);
      return res;
    };
    const created = await send('post', '/users', user);
    await send('post', '/login', user);
    await send('put', '/users/{id}/email', user, created.body.id);
    await send('post', '/email/verify', user, '', await lastToken(created.body.id, 'verify-email'));
    await send('put', '/users/{id}/password', user, created.body.id);
    await send('put', '/users/{id}/role', admin, created.body.id);
    await send('post', '/reauthenticate', user);
    await send('post', '/webauthn/login/options', user);
    // A one-time code depends on the time and a secret, a passkey answer on an authenticator: those examples
    // show the shape only (they pass their schema above); the MFA suites send real ones.
    const unreplayable = ['post /mfa/totp/confirm', 'post /login/mfa', 'post /webauthn/register', 'post /webauthn/login'];
    await send('post', '/password/forgot', user);
    await send('post', '/password/reset', user, '', await lastToken(created.body.id, 'password-reset'));
    // Last: its example disables the account, which ends the user's sessions.
    await send('put', '/users/{id}/status', admin, created.body.id);
    const withExample = operations.filter((op) => op.example !== undefined).map((op) => `${op.method} ${op.path}`);
    expect([...sent, ...unreplayable].sort(), 'every example was sent').to.deep.equal(withExample.sort());
  });
});
