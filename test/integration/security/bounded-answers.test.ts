import { expect } from 'chai';
import request from 'supertest';
import { MAX_ISSUES } from '../../../src/adapters/http/problem-details.js';
import { createAdmin, expectInvalidField, expectProblem, httpSuite, logIn, PASSWORD, uniqueName } from '../http/helpers.js';

/** A JSON object with `n` unknown keys besides `extra`. */
function manyKeys(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { ...extra };
  for (let i = 0; i < n; i += 1) body[`k${i}`] = 1;
  return body;
}

describe('bad requests get small answers, in time linear in their size', function () {
  this.timeout(20_000);
  const suite = httpSuite();
  const client = () => request(suite.app.callback());

  it('POST /login with 10,000 unknown keys: a small 400, quickly', async () => {
    const started = Date.now();
    const res = await client()
      .post('/login')
      .send(manyKeys(10_000, { username: 'ada', password: PASSWORD }));
    const body = expectProblem(res, 400, 'validation-failed');
    expect(Date.now() - started).to.be.below(2_000);
    expect(res.text.length).to.be.below(4_096);
    expect((body.errors as unknown[]).length).to.be.at.most(MAX_ISSUES);
  });

  it('a few unknown keys are each named once, with the rest counted', async () => {
    const res = await client().post('/users').send({ username: uniqueName(), password: PASSWORD, isAdmin: true, b: 1 });
    expectInvalidField(res, 'isAdmin');
    expectInvalidField(res, 'b');
    const errors = res.body.errors as { field: string; reason: string }[];
    expect(errors.filter((e) => e.field === 'isAdmin')).to.have.length(1);
  });

  it('POST /users with 20 unknown keys (under the field cap) names 5 of them and counts the rest', async () => {
    const res = await client()
      .post('/users')
      .send(manyKeys(20, { username: uniqueName(), password: PASSWORD }));
    const body = expectProblem(res, 400, 'validation-failed');
    const errors = body.errors as { field: string; reason: string }[];
    expect(errors).to.have.length(6);
    expect(errors[5]).to.deep.equal({ field: 'body', reason: 'has 15 more unknown fields' });
  });

  it('a 90 kB unknown key is not echoed back', async () => {
    const res = await client()
      .post('/login')
      .send({ username: 'ada', password: PASSWORD, ['x'.repeat(90_000)]: 1 });
    expectProblem(res, 400, 'validation-failed');
    expect(res.text.length).to.be.below(2_048);
  });

  it('GET /users with 1,500 query parameters: a small 400 naming query', async () => {
    const admin = await createAdmin(suite);
    const agent = await logIn(suite.app, admin);
    const query = Array.from({ length: 1_500 }, (_, i) => `p${i}=1`).join('&');
    const res = await agent.get(`/users?${query}`);
    expectInvalidField(res, 'query');
    expect(res.text.length).to.be.below(1_024);
    // Under the cap, unknown parameters are still named.
    expectInvalidField(await agent.get('/users?limit=5&nope=1'), 'query.nope');
  });
});

describe('GET /docs/{asset} only serves its own assets', () => {
  const suite = httpSuite();

  it('answers 404 problems for the names of built-in object properties', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      expectProblem(await request(suite.app.callback()).get(`/docs/${name}`), 404, 'not-found');
    }
    await request(suite.app.callback()).get('/docs/init.js').expect(200);
  });
});

describe('usernames: the documented characters, checked before case folding', () => {
  const suite = httpSuite();
  const client = () => request(suite.app.callback());

  it('refuses KELVIN SIGN, so "\\u212Aelvin…" can neither register nor log in as "kelvin…"', async () => {
    const name = `elvin${Date.now() % 100_000}`;
    expectInvalidField(
      await client()
        .post('/users')
        .send({ username: `\u212A${name}`, password: PASSWORD }),
      'username',
    );
    await client()
      .post('/users')
      .send({ username: `k${name}`, password: PASSWORD })
      .expect(201);
    expectProblem(
      await client()
        .post('/login')
        .send({ username: `\u212A${name}`, password: PASSWORD }),
      401,
      'invalid-credentials',
    );
  });

  it('refuses a name of punctuation only', async () => {
    for (const username of ['...', '-_-', '._.']) {
      expectInvalidField(await client().post('/users').send({ username, password: PASSWORD }), 'username');
    }
  });
});
