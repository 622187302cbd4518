import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { expectProblem, httpSuite, register, sessionCookieHeader, uniqueName, type Account } from '../http/helpers.js';

type Caller = 'anonymous' | 'user' | 'admin';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Stands for an id known only when the request is sent: the caller's own, or the fuzzed user's or admin's. */
type IdMarker = '{self}' | '{user}' | '{admin}';

interface HostileRequest {
  caller: Caller;
  method: Method;
  /** Percent-encoded where needed; may hold id markers. */
  path: string;
  query: string;
  contentType: string | undefined;
  body: string | undefined;
  headers: Record<string, string>;
}

const FUZZ_PASSWORD = 'fuzzing account passphrase';

/** encodeURIComponent, or a plain stand-in where it refuses (lone surrogates). */
const encode = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[^A-Za-z0-9]/g, '_');
  }
};
const withoutSurrogates = (text: string): string => text.replace(/[\uD800-\uDFFF]/g, '');

const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

// Paths: the known ids (never the sentinel's), unknown ones, encoded junk, stray %, very long ids.
const idSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<string>('{self}', '{user}', '{admin}') },
  fc.uuid(),
  fc.constantFrom('me', '.', '..', '%2e%2e', '%2F', '%00', '%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%F0%9F%98%80'),
  fc.constantFrom('__proto__', 'constructor', 'null', '0', '-1', '%27%20OR%201%3D1--', '%5B%5D', '%20'),
  anyText.map(encode),
  fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{1,40}$/),
  fc.integer({ min: 65, max: 4000 }).map((n) => 'a'.repeat(n)),
);

// Bodies: arbitrary JSON, the expected fields with wrong types, prototype keys, huge strings, deep nesting, junk.
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('admin', 'user', 'ADMIN', ' admin', 'root', 'password123', '', FUZZ_PASSWORD),
  fc.integer({ min: 70, max: 3000 }).map((n) => 'p'.repeat(n)),
);
const mostlyRight = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: fieldValue });
const validName = fc.stringMatching(/^[a-z0-9._-]{3,20}$/);
const validPassword = fc.string({ unit: 'grapheme', minLength: 8, maxLength: 20 });
const role = fc.constantFrom('user', 'admin');

const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    { username: fieldValue, password: fieldValue, currentPassword: fieldValue, newPassword: fieldValue, role: fieldValue },
    { requiredKeys: [] },
  ),
  fc
    .tuple(fieldValue, fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'))
    .map(([value, key]) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`) as unknown),
);
const hostileBody: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: hostileJson.map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"role":"admin"},"username":"pollute","password":"a perfectly fine password"}',
      '{"constructor":{"prototype":{"role":"admin"}},"role":"admin"}',
      '{"role":"admin","__proto__":{"isAdmin":true}}',
      '{"username":{"__proto__":{"length":1}},"password":"x"}',
      '{"role":"user","role":"admin"}',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 150_000 }).map((n) => JSON.stringify({ username: 'huge', password: 'h'.repeat(n) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean())
      .map(([depth, arrays]) =>
        arrays ? `{"password":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(anyText, fc.constantFrom('', 'null', '"text"', '123', 'true', '[]', '{', '{"a":1,}', '\u0000', '\uFEFF{}')),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const sixDigits = fc.stringMatching(/^\d{6}$/);
/** Shaped like a PublicKeyCredential's JSON, with hostile values in it. */
const webauthnJson = fc.record(
  {
    id: mostlyRight(fc.base64String({ maxLength: 64 })),
    rawId: fieldValue,
    type: mostlyRight(fc.constant('public-key')),
    response: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        { clientDataJSON: fieldValue, authenticatorData: fieldValue, signature: fieldValue, attestationObject: fieldValue },
        { requiredKeys: [] },
      ),
    ),
    clientExtensionResults: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const secondFactor = fc.oneof(
  fc.record({ code: mostlyRight(sixDigits) }),
  fc.record({ recoveryCode: mostlyRight(fc.stringMatching(/^[0-9a-z]{5}-[0-9a-z]{5}$/)) }),
  fc.record({ webauthn: mostlyRight(webauthnJson) }),
);

interface Endpoint {
  method: Method;
  path(id: string): string;
  /** Bodies shaped like what the endpoint expects, each field mostly right. */
  plausible?: fc.Arbitrary<unknown>;
}

const endpoints: Endpoint[] = [
  {
    method: 'POST',
    path: () => '/users',
    plausible: fc.record(
      { username: mostlyRight(validName), password: mostlyRight(validPassword), role: mostlyRight(role) },
      { requiredKeys: ['username', 'password'] },
    ),
  },
  {
    method: 'POST',
    path: () => '/login',
    plausible: fc.record({ username: mostlyRight(validName), password: mostlyRight(validPassword) }),
  },
  { method: 'POST', path: () => '/logout' },
  { method: 'GET', path: () => '/users' },
  { method: 'GET', path: () => '/users/me' },
  { method: 'GET', path: (id) => `/users/${id}` },
  {
    method: 'PUT',
    path: (id) => `/users/${id}/password`,
    plausible: fc.record(
      { currentPassword: mostlyRight(fc.constant(FUZZ_PASSWORD)), newPassword: mostlyRight(validPassword) },
      { requiredKeys: ['newPassword'] },
    ),
  },
  { method: 'PUT', path: (id) => `/users/${id}/role`, plausible: fc.record({ role: mostlyRight(role) }) },
  { method: 'DELETE', path: (id) => `/users/${id}` },
  // Second factors
  { method: 'GET', path: () => '/mfa' },
  { method: 'POST', path: () => '/mfa/totp' },
  { method: 'POST', path: () => '/mfa/totp/confirm', plausible: fc.record({ code: mostlyRight(sixDigits) }) },
  { method: 'DELETE', path: () => '/mfa/totp' },
  { method: 'POST', path: () => '/mfa/recovery-codes' },
  { method: 'POST', path: () => '/login/mfa', plausible: secondFactor },
  { method: 'POST', path: () => '/login/mfa/webauthn/options' },
  {
    method: 'POST',
    path: () => '/reauthenticate',
    plausible: fc.oneof(fc.record({ password: mostlyRight(fc.constant(FUZZ_PASSWORD)) }), secondFactor),
  },
  { method: 'POST', path: () => '/reauthenticate/webauthn/options' },
  { method: 'POST', path: () => '/webauthn/register/options' },
  {
    method: 'POST',
    path: () => '/webauthn/register',
    plausible: fc.record({ response: mostlyRight(webauthnJson), name: mostlyRight(validName) }),
  },
  { method: 'GET', path: () => '/webauthn/credentials' },
  { method: 'DELETE', path: (id) => `/webauthn/credentials/${id}` },
  {
    method: 'POST',
    path: () => '/webauthn/login/options',
    plausible: fc.record({ username: mostlyRight(validName) }, { requiredKeys: [] }),
  },
  { method: 'POST', path: () => '/webauthn/login', plausible: fc.record({ response: mostlyRight(webauthnJson) }) },
  {
    method: 'PUT',
    path: (id) => `/users/${id}/email`,
    plausible: fc.record(
      { email: mostlyRight(fc.emailAddress()), currentPassword: mostlyRight(fc.constant(FUZZ_PASSWORD)) },
      { requiredKeys: ['email'] },
    ),
  },
  {
    method: 'POST',
    path: () => '/email/verify',
    plausible: fc.record({ token: mostlyRight(fc.base64String({ minLength: 40, maxLength: 44 })) }),
  },
  { method: 'POST', path: () => '/email/verify/resend' },
  {
    method: 'POST',
    path: () => '/password/forgot',
    plausible: fc.record({ username: mostlyRight(fc.oneof(validName, fc.emailAddress())) }),
  },
  {
    method: 'POST',
    path: () => '/password/reset',
    plausible: fc.record({
      token: mostlyRight(fc.base64String({ minLength: 40, maxLength: 44 })),
      newPassword: mostlyRight(validPassword),
    }),
  },
];

const target: fc.Arbitrary<{ method: Method; path: string; body: string | undefined }> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...endpoints).chain(({ method, path, plausible }) =>
      fc.record({
        method: fc.constant(method),
        path: idSegment.map(path),
        body: plausible
          ? fc.oneof({ weight: 2, arbitrary: plausible.map((b) => JSON.stringify(b)) }, { weight: 1, arbitrary: hostileBody })
          : hostileBody,
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'DELETE'),
      path: fc.oneof(
        fc.array(idSegment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
        fc.constantFrom(
          '/users/',
          '/users//me',
          '/USERS/ME',
          '/users/me/',
          '//users',
          '/users/%2e%2e/users',
          '/login/',
          '/users/me/password',
        ),
      ),
      body: hostileBody,
    }),
  },
);

const queryValue = fc.oneof(
  fc.constantFrom('', '-1', '0', '1', '100', '101', '1e1', '1e3', 'NaN', 'Infinity', '0x10', ' 5', '5.5', 'true', '[]', '{}'),
  anyText,
  fc.integer({ min: 65, max: 2000 }).map((n) => 'z'.repeat(n)),
);
const queryKey = fc.oneof(fc.constantFrom('limit', 'after', '__proto__', 'constructor', 'toString', 'limit[]', 'after[$gt]'), anyText);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
      .map(
        (pairs) =>
          `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [withoutSurrogates(k), withoutSurrogates(v)])).toString()}`,
      ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9%&=._~+\-[\]]{0,60}$/).map((raw) => `?${raw}`) },
);

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json; charset="utf-8"',
      'application/json; charset=latin1',
      'application/json; charset=utf-16le',
      'application/json; charset=bogus',
      'application/json; foo=bar',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'application/merge-patch+json',
      'text/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      '*/*',
      'application/',
      ';',
      'application/json;;',
      'application/json, text/plain',
    ),
  },
);

const printable = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);
const extraHeaders = fc.record(
  {
    'X-Request-Id': printable,
    Accept: fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/problem+json', ''),
    'X-Forwarded-For': printable,
    Cookie: printable.map((junk) => `authsvc.sid=${encode(junk)}; authsvc.sid.sig=${encode(junk)}`),
  },
  { requiredKeys: [] },
);

const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({ caller: fc.constantFrom<Caller>('anonymous', 'user', 'admin'), target, query, contentType, headers: extraHeaders })
  .map(({ target: t, ...rest }) => ({ ...rest, ...t }));

describe('hostile input at every endpoint (property-based)', function () {
  this.timeout(90_000);
  const suite = httpSuite();
  const accounts: Partial<Record<'user' | 'admin', Account & { cookie?: string }>> = {};
  type Session = Account & { cookie: string };

  /** A live session of the kind asked for: logs in again, or makes a new account when the fuzzing changed the old one. */
  async function sessionFor(kind: 'user' | 'admin'): Promise<Session> {
    const current = accounts[kind];
    if (current?.cookie) return current as Session;
    if (current) {
      const res = await request(suite.app.callback()).post('/login').send({ username: current.username, password: current.password });
      if (res.status === 200 && res.body.role === kind) return (accounts[kind] = { ...current, cookie: sessionCookieHeader(res) });
    }
    const username = uniqueName(`fuzz-${kind}`);
    const account =
      kind === 'user'
        ? await register(suite.app, username, FUZZ_PASSWORD)
        : {
            id: (await suite.container.get(CreateUser).execute({ username, password: FUZZ_PASSWORD, role: 'admin' }, 'system')).id,
            username,
            password: FUZZ_PASSWORD,
          };
    const res = await request(suite.app.callback()).post('/login').send({ username, password: FUZZ_PASSWORD }).expect(200);
    return (accounts[kind] = { ...account, cookie: sessionCookieHeader(res) });
  }

  /** Sends the request; returns the response, the URL sent, and the caller's role at that moment. */
  async function send(req: HostileRequest): Promise<{ res: request.Response; url: string; callerRole: string | undefined }> {
    const session = req.caller === 'anonymous' ? undefined : await sessionFor(req.caller);
    const ids: Record<IdMarker, string> = {
      '{self}': session?.id ?? 'anonymous',
      '{user}': (await sessionFor('user')).id,
      '{admin}': (await sessionFor('admin')).id,
    };
    const url = req.path.replace(/\{self\}|\{user\}|\{admin\}/g, (m) => ids[m as IdMarker]) + req.query;
    const callerRole = session && (await suite.db('users').where({ id: session.id }).first('role'))?.role;

    const client = request(suite.app.callback());
    let test = { GET: client.get, POST: client.post, PUT: client.put, DELETE: client.delete }[req.method]
      .call(client, url)
      .set(req.headers);
    if (session) test = test.set('Cookie', session.cookie);
    if (req.contentType !== undefined) test = test.set('Content-Type', req.contentType);
    if (req.body !== undefined) test = test.send(req.body);
    const res = await test;
    // A change by this caller may have ended its session or changed its account: check again before its next request.
    if (session && (req.method !== 'GET' || res.status === 401)) accounts[req.caller as 'user' | 'admin']!.cookie = undefined;
    return { res, url, callerRole };
  }

  it('never answers 5xx, answers every error as problem+json, never lets a non-admin manage accounts, and spares the sentinel', async () => {
    const sentinel = await register(suite.app, uniqueName('sentinel'), 'the sentinel keeps its passphrase');
    const row = () => suite.db('users').where({ id: sentinel.id }).first('username', 'role', 'passwordHash');
    const before = await row();

    await fc.assert(
      fc.asyncProperty(hostileRequest, async (req) => {
        const { res, url, callerRole } = await send(req);
        const label = `${req.caller} ${req.method} ${url.slice(0, 100)}: ${res.status}`;
        expect(res.status, label).to.be.below(500);
        if (res.status >= 400) expectProblem(res, res.status);
        expect(JSON.stringify(res.body ?? {}), `${label}: a hash in the response`).not.to.include('$2b$');
        if (res.status < 300 && callerRole !== 'admin') {
          const listing = req.method === 'GET' && /^\/users\/?(\?|$)/.test(url);
          const roleChange = req.method === 'PUT' && /\/role(\?|$)/.test(url);
          const deletion = req.method === 'DELETE' && /^\/users\//.test(url);
          expect(listing || roleChange || deletion, `a non-admin got ${label}`).to.equal(false);
          if (req.method === 'POST' && res.status === 201) expect(res.body.role, `${label}: role of a new account`).to.equal('user');
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );

    expect(await row(), 'the sentinel row is untouched').to.deep.equal(before);
    await request(suite.app.callback()).post('/login').send({ username: sentinel.username, password: sentinel.password }).expect(200);
  });
});
