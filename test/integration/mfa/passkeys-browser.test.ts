import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { CDPSession, Page } from 'playwright-core';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { buildContainer } from '../../../src/config/container.js';
import { wireApp } from '../../../src/config/api.js';
import { closeAll, closeServer } from '../../support/close-all.js';
import { testBrowser, type TestBrowser } from '../../support/test-browser.js';
import { testEnv } from '../../support/test-app.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { outboxTypes, PASSWORD, uniqueName } from '../http/helpers.js';

const databases: [string, OpenDb][] = [
  ['MySQL', onMySql],
  ['the embedded SQLite', onSqlite],
];
const BROWSER_LIBRARY = readFileSync(
  new URL('../../../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', import.meta.url),
  'utf8',
);

/** The page the browser runs the ceremonies from: same origin as PUBLIC_URL, so the RP id and origin match. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>passkeys</title>
<script src="/test/simplewebauthn-browser.js"></script>
<script>
  async function api(method, path, body) {
    const res = await fetch(path, { method, credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  window.api = api;
  window.register = async (name) => {
    const options = await api('POST', '/webauthn/register/options');
    if (options.status !== 200) return options;
    const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options.body });
    return api('POST', '/webauthn/register', { response, name });
  };
  /**
   * Runs an authentication ceremony with the options from optionsPath, and returns the assertion. A page that
   * lowers the options' userVerification (as a hostile one could) gets an assertion without verification.
   */
  window.assertion = async (optionsPath, optionsBody, userVerification) => {
    const options = await api('POST', optionsPath, optionsBody);
    if (options.status !== 200) throw new Error('options: ' + JSON.stringify(options));
    const optionsJSON = userVerification ? { ...options.body, userVerification } : options.body;
    return SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
  };
</script>`;

interface Served {
  origin: string;
  server: Server;
  logs: string[];
}

/** The service on a free port with PUBLIC_URL = http://localhost:<port>, plus the test page and the browser library. */
async function serve(db: Knex): Promise<Served> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const server = createServer((req, res) => {
    if (req.url === '/test/passkeys.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/test/simplewebauthn-browser.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(BROWSER_LIBRARY);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const env = testEnv({ PUBLIC_URL: origin, MFA_KEY_SECRET: 'a test key for second-factor secrets, 32+ bytes', LOG_LEVEL: 'warn' });
  const logs: string[] = [];
  const log = createLogger(env.logLevel, { write: (line: string) => void logs.push(line) });
  const app = wireApp(env, buildContainer(env, db, log), log, ['a test session secret that is long enough']);
  const callback = app.callback();
  handler = (req, res) => void callback(req, res);
  return { origin, server, logs };
}

type Result = { status: number; body: Record<string, unknown> & { methods?: string[]; credentials?: { id: string }[] } };

for (const [name, open] of databases) {
  describe(`Passkeys in a real browser (Chromium's virtual authenticator) on ${name}`, function () {
    this.timeout(120_000);
    let db: Knex;
    let dispose: () => Promise<void>;
    let served: Served;
    let browser: TestBrowser;
    let page: Page;
    let cdp: CDPSession;
    let authenticatorId: string;
    const username = uniqueName('passkey');
    let userId: string;
    let passkeyId: string;

    const call = (method: string, path: string, body?: unknown): Promise<Result> =>
      page.evaluate(([m, p, b]) => (globalThis as never as { api: (...a: unknown[]) => Promise<Result> }).api(m, p, b), [
        method,
        path,
        body,
      ] as const);
    const assertion = (optionsPath: string, optionsBody?: unknown, userVerification?: string): Promise<unknown> =>
      page.evaluate(([p, b, uv]) => (globalThis as never as { assertion: (...a: unknown[]) => Promise<unknown> }).assertion(p, b, uv), [
        optionsPath,
        optionsBody,
        userVerification,
      ] as const);

    before(async function () {
      browser = await testBrowser(this);
      ({ db, dispose } = await open(this));
      served = await serve(db);
      page = await browser.context.newPage();
      await page.goto(`${served.origin}/test/passkeys.html`);
      cdp = await browser.context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
      }));
    });
    after(async () => {
      await closeAll([() => browser?.close(), () => closeServer(served?.server), () => dispose?.()]);
    });

    it('registers a passkey from the browser: 201 {id, name, createdAt}, listed, user.mfa_enabled', async () => {
      expect((await call('POST', '/users', { username, password: PASSWORD })).status).to.equal(201);
      const login = await call('POST', '/login', { username, password: PASSWORD });
      expect(login.status).to.equal(200);
      userId = String(login.body.id);
      const registered = await page.evaluate<Result, string>(
        (n) => (globalThis as never as { register: (n: string) => Promise<Result> }).register(n),
        'Laptop',
      );
      expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
      expect(registered.body).to.have.all.keys('id', 'name', 'createdAt', 'lastUsedAt');
      expect(registered.body.name).to.equal('Laptop');
      passkeyId = String(registered.body.id);
      const list = await call('GET', '/webauthn/credentials');
      expect(list.body.credentials!.map((c) => c.id)).to.deep.equal([passkeyId]);
      expect(await outboxTypes(db, userId)).to.include('user.mfa_enabled');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).to.have.length(1);
      expect(credentials[0]!.isResidentCredential).to.equal(true);
    });

    it('signs in without a password (discoverable, and by username): the same answer and session as a full login', async () => {
      await browser.context.clearCookies();
      expect((await call('GET', '/users/me')).status).to.equal(401);
      const response = await assertion('/webauthn/login/options', {});
      const login = await call('POST', '/webauthn/login', { response });
      expect(login.status, JSON.stringify(login.body)).to.equal(200);
      expect(login.body).to.deep.equal({ id: userId, username, role: 'user' });
      expect((await call('GET', '/users/me')).body.id).to.equal(userId);
      // The session counts as a fresh authentication: a passkey can be managed at once.
      expect((await call('POST', '/webauthn/register/options')).status).to.equal(200);
      // The same assertion again: its challenge is used up.
      await browser.context.clearCookies();
      expect((await call('POST', '/webauthn/login', { response })).status).to.equal(401);
      const byName = await assertion('/webauthn/login/options', { username });
      expect((await call('POST', '/webauthn/login', { response: byName })).status).to.equal(200);
    });

    it('is the second factor of a password login: {mfaRequired, methods: [webauthn]}, then POST /login/mfa {webauthn}', async () => {
      await browser.context.clearCookies();
      const first = await call('POST', '/login', { username, password: PASSWORD });
      expect(first.body).to.deep.equal({ mfaRequired: true, methods: ['webauthn'] });
      expect((await call('GET', '/users/me')).body.code).to.equal('mfa-required');
      const webauthn = await assertion('/login/mfa/webauthn/options');
      const done = await call('POST', '/login/mfa', { webauthn });
      expect(done.status, JSON.stringify(done.body)).to.equal(200);
      expect(done.body).to.deep.equal({ id: userId, username, role: 'user' });
      expect((await call('GET', '/users/me')).status).to.equal(200);
      // Re-authentication with the passkey.
      const again = await assertion('/reauthenticate/webauthn/options');
      expect((await call('POST', '/reauthenticate', { webauthn: again })).status).to.equal(204);
    });

    it('requires user verification to sign in without a password, not as a second factor', async () => {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      try {
        await browser.context.clearCookies();
        // The options ask for verification; the page lowers that, the authenticator signs without verifying.
        const response = await assertion('/webauthn/login/options', {}, 'discouraged');
        const refused = await call('POST', '/webauthn/login', { response });
        expect(refused.status).to.equal(401);
        expect(refused.body.code).to.equal('invalid-code');
        expect((await call('POST', '/login', { username, password: PASSWORD })).body.mfaRequired).to.equal(true);
        // As a second factor, presence is enough (a plain security key): the same unverified kind of assertion passes.
        const webauthn = await assertion('/login/mfa/webauthn/options', undefined, 'discouraged');
        expect((await call('POST', '/login/mfa', { webauthn })).status).to.equal(200);
      } finally {
        await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
      }
    });

    it('refuses a signature counter that goes back (a cloned authenticator), audits it and tells a verified address', async () => {
      await browser.context.clearCookies();
      const [row] = await db('webauthn_credentials').where({ id: passkeyId }).select('counter', 'credentialId', 'publicKey');
      expect(Number(row.counter)).to.be.greaterThan(0); // Chromium's authenticator counts its signatures
      const email = `${username}@example.com`;
      await db('users').where({ id: userId }).update({ email, emailVerified: true });
      await db('webauthn_credentials').where({ id: passkeyId }).update({ counter: 1_000_000 });
      try {
        const response = await assertion('/webauthn/login/options', {});
        const refused = await call('POST', '/webauthn/login', { response });
        expect(refused.status).to.equal(401);
        expect((await call('GET', '/users/me')).status).to.equal(401);
        const entries = await db('audit').where({ subjectId: userId, type: 'mfa.passkey_clone_suspected' });
        expect(entries).to.have.length(1);
        expect(entries[0]).to.include({ outcome: 'failure', actor: 'anonymous' });
        expect(JSON.parse(entries[0].details)).to.deep.equal({
          passkeyId,
          credentialId: row.credentialId,
          passkeyName: 'Laptop',
          storedCounter: 1_000_000,
        });
        expect(entries[0].details).not.to.include(row.publicKey);
        const notices = await db('mail_outbox').where({ userId, kind: 'passkey-clone-suspected' });
        expect(notices.map((m) => m.recipient)).to.deep.equal([email]);
        // Nothing moved: the counter stays where it was.
        expect(Number((await db('webauthn_credentials').where({ id: passkeyId }).first('counter')).counter)).to.equal(1_000_000);
      } finally {
        await db('webauthn_credentials').where({ id: passkeyId }).update({ counter: row.counter });
        await db('users').where({ id: userId }).update({ email: null, emailVerified: false });
      }
    });

    it('deletes the passkey (recent authentication): user.mfa_disabled, and it signs in no more', async () => {
      await browser.context.clearCookies();
      expect((await call('POST', '/login', { username, password: PASSWORD })).body.mfaRequired).to.equal(true);
      expect((await call('POST', '/login/mfa', { webauthn: await assertion('/login/mfa/webauthn/options') })).status).to.equal(200);
      expect((await call('DELETE', `/webauthn/credentials/${passkeyId}`)).status).to.equal(204);
      expect((await call('DELETE', `/webauthn/credentials/${passkeyId}`)).status).to.equal(404);
      expect((await call('GET', '/webauthn/credentials')).body.credentials).to.deep.equal([]);
      expect(await outboxTypes(db, userId)).to.include('user.mfa_disabled');
      // Adding and removing it are in the audit trail, with the passkey's id (never its key).
      const changes = await db('audit').where({ subjectId: userId }).whereIn('type', ['mfa.enrolled', 'mfa.removed']).orderBy('id');
      expect(changes.map((e) => [e.type, JSON.parse(String(e.details)).passkeyId])).to.deep.include.members([
        ['mfa.enrolled', passkeyId],
        ['mfa.removed', passkeyId],
      ]);
      await browser.context.clearCookies();
      expect((await call('POST', '/login', { username, password: PASSWORD })).body).to.deep.equal({ id: userId, username, role: 'user' });
      await browser.context.clearCookies();
      const response = await assertion('/webauthn/login/options', {});
      expect((await call('POST', '/webauthn/login', { response })).status).to.equal(401);
    });
  });
}
