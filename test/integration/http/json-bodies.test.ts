import request from 'supertest';
import { type Account, createAdmin, expectProblem, httpSuite, logIn, PASSWORD, register } from './helpers.js';

/** Every endpoint that takes a JSON body, as [method, path], with `{id}` standing for an existing user's id. */
const JSON_ENDPOINTS = [
  ['post', '/users'],
  ['post', '/login'],
  ['put', '/users/{id}/password'],
  ['put', '/users/{id}/role'],
] as const;

describe('JSON bodies: bad input never gets a 500', function () {
  const suite = httpSuite();
  const client = () => request(suite.app.callback());
  // Sent by a logged-in admin to a real user, so that no check other than the body's can answer first.
  let admin: request.Agent, target: Account;
  before(async () => {
    target = await register(suite.app);
    admin = await logIn(suite.app, await createAdmin(suite));
  });
  const send = (method: 'post' | 'put', path: string) => admin[method](path.replace('{id}', target.id));
  const rawJson = (method: 'post' | 'put', path: string, body: string) =>
    send(method, path).set('Content-Type', 'application/json').send(body);

  for (const [method, path] of JSON_ENDPOINTS) {
    describe(`${method.toUpperCase()} ${path}`, () => {
      it('answers malformed JSON with 400', async () => {
        expectProblem(await rawJson(method, path, '{"username": "ada",'), 400, 'malformed-json');
        expectProblem(await client()[method](path.replace('{id}', target.id)).type('json').send('{'), 400, 'malformed-json');
      });

      it('answers a JSON array or string body with 400', async () => {
        for (const body of ['[]', '[{"username":"ada","password":"correct horse"}]', '"ada"', '42']) {
          expectProblem(await rawJson(method, path, body), 400);
        }
      });

      it('answers text/plain and form bodies with 415', async () => {
        const text = await send(method, path).set('Content-Type', 'text/plain').send('{"username":"ada"}');
        expectProblem(text, 415, 'unsupported-media-type');
        const form = await send(method, path).type('form').send({ username: 'ada', password: PASSWORD });
        expectProblem(form, 415, 'unsupported-media-type');
      });

      it('answers a body over 100 kB with 413', async () => {
        const res = await send(method, path).send({ username: 'ada', password: 'p'.repeat(110 * 1024) });
        expectProblem(res, 413, 'payload-too-large');
      });
    });
  }
});
