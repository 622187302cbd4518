import { expect } from 'chai';
import type { Page, Route } from 'playwright-core';
import { createAdmin, createUser, PASSWORD, review, uiSuite, uniqueName } from './browser.js';

// The pages for endpoints that other parts of the service add (sessions, second factor, account status, audit
// trail), driven against the answers those endpoints are specified to give, stubbed in the browser: the pages'
// own behaviour is tested here, the endpoints by their own tests.

const json = (route: Route, status: number, body?: unknown) =>
  route.fulfill({ status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: body === undefined ? '' : JSON.stringify(body) });
const problem = (route: Route, status: number, code: string, title: string) => json(route, status, { type: `about:blank#${code}`, title, status, detail: title, code });
const noContent = (route: Route) => route.fulfill({ status: 204, body: '' });

/** The OpenAPI document as the service will publish it once these endpoints are deployed. */
async function publish(page: Page, paths: string[]): Promise<void> {
  await page.route('**/openapi.json', async (route) => {
    const real = (await (await route.fetch()).json()) as { paths: Record<string, unknown> };
    for (const path of paths) real.paths[path] ??= {};
    await json(route, 200, real);
  });
}

const QR_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h21v21H0z"/>' +
  '<path stroke="#000" d="M0 0.5h7m2 0h1m1 0h2m1 0h7M0 6.5h7m7 0h7M0 14.5h7m2 0h3m2 0h7M0 20.5h7m2 0h1m3 0h1m1 0h5M9 10.5h5"/></svg>';
const RECOVERY_CODES = Array.from({ length: 10 }, (_, i) => `k${i}f3a-9x${i}2q`);

describe('web UI pages for endpoints yet to come (their answers stubbed in the browser)', function () {
  this.timeout(180_000);
  const suite = uiSuite();

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByLabel(/^Username/).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/ui/account');
  }

  it('asks for the second factor after the password, shows a wrong code next to its field, and signs in', async () => {
    const page = await suite.newPage();
    const me = { id: '0190a8f0-0000-7000-8000-000000000001', username: 'mfa-user', role: 'user', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
    let done = false;
    const codes: unknown[] = [];
    await page.route('**/login', (route) => json(route, 200, { mfaRequired: true, methods: ['totp', 'webauthn'] }));
    await page.route('**/login/mfa', async (route) => {
      const body = route.request().postDataJSON() as { code?: string; recoveryCode?: string };
      codes.push(body);
      if (body.code === '123456' || body.recoveryCode === 'abcde-fghij') {
        done = true;
        return json(route, 200, { id: me.id, username: me.username, role: me.role });
      }
      return problem(route, 401, 'invalid-code', 'Invalid code');
    });
    await page.route('**/users/me', (route) => (done ? json(route, 200, me) : route.fallback()));

    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByLabel(/^Username/).fill('mfa-user');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
    expect(await page.evaluate<string>('document.activeElement.tagName')).to.equal('H1');
    await review(page, 'sign-in-second-factor');
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).count()).to.equal(1);

    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    const input = page.getByLabel('Code from your authenticator app');
    await page.locator('#field-code-error').waitFor();
    expect(await page.locator('#field-code-error').innerText()).to.contain('The code is not correct, or was used already.');
    expect(await input.getAttribute('aria-invalid')).to.equal('true');
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('field-code');

    // Recovery codes are the other way in.
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill('abcde-fghij');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/ui/account');
    expect(codes).to.deep.equal([{ code: '000000' }, { recoveryCode: 'abcde-fghij' }]);
  });

  it('enrols an authenticator app from the QR code after re-authenticating, and shows the recovery codes once', async () => {
    const username = uniqueName('totp');
    await createUser(suite, username);
    const page = await suite.newPage();
    await publish(page, ['/mfa/totp', '/mfa/totp/confirm', '/mfa/recovery-codes', '/webauthn/credentials']);
    let recent = false;
    const calls: string[] = [];
    await page.route('**/reauthenticate', (route) => {
      calls.push(`reauth ${(route.request().postDataJSON() as { password: string }).password === PASSWORD}`);
      recent = true;
      return noContent(route);
    });
    await page.route('**/mfa/totp', (route) => {
      calls.push(`enrol recent=${recent}`);
      if (!recent) return problem(route, 403, 'reauthentication-required', 'Re-authentication required');
      return json(route, 200, { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/authsvc:x?secret=JBSWY3DPEHPK3PXP', qrSvg: QR_SVG });
    });
    await page.route('**/mfa/totp/confirm', (route) => {
      const { code } = route.request().postDataJSON() as { code: string };
      return code === '654321' ? json(route, 200, { recoveryCodes: RECOVERY_CODES }) : problem(route, 400, 'invalid-code', 'Invalid code');
    });
    await page.route('**/webauthn/credentials', (route) => json(route, 200, { credentials: [{ id: 'c1', name: 'Work laptop', createdAt: new Date().toISOString() }] }));

    await signIn(page, username);
    await page.getByRole('link', { name: 'Second factor' }).click();
    await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
    await page.getByText('Work laptop', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();

    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('reauth-password');
    await review(page, 'second-factor-reauthenticate');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    const qr = page.getByRole('img', { name: 'QR code holding the secret for your authenticator app' });
    await qr.waitFor();
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(0);
    await page.getByText('JBSW Y3DP EHPK 3PXP').waitFor();
    await page.getByLabel('Code from the app').fill('111111');
    await page.getByRole('button', { name: 'Turn on' }).click();
    expect(await page.locator('#totp-code-error').innerText()).to.contain('The code is not correct');
    await review(page, 'second-factor-enrol');

    await page.getByLabel('Code from the app').fill('654321');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    for (const code of RECOVERY_CODES) await page.getByText(code, { exact: true }).waitFor();
    await review(page, 'second-factor-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText(RECOVERY_CODES[0]!).waitFor({ state: 'detached' }); // gone once saved, after the redraw
    expect(calls).to.deep.equal(['enrol recent=false', 'reauth true', 'enrol recent=true']);
  });

  it('lists my sessions with this device marked, ends one, then all the others', async () => {
    const username = uniqueName('sess');
    await createUser(suite, username);
    const page = await suite.newPage();
    const now = Date.now();
    const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    let sessions = [
      { id: 's-phone', current: false, type: 'cookie', createdAt: at(90), lastSeenAt: at(5), expiresAt: at(-60), ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1' },
      { id: 's-here', current: true, type: 'cookie', createdAt: at(10), lastSeenAt: at(0), expiresAt: at(-120), ip: '127.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36' },
      { id: 's-cli', current: false, type: 'token', createdAt: at(300), lastSeenAt: at(30), expiresAt: at(-30), ip: '203.0.113.9', userAgent: 'curl/8.5.0' },
    ];
    await page.route('**/sessions', (route) => {
      if (route.request().method() === 'DELETE') {
        sessions = sessions.filter((s) => s.current);
        return noContent(route);
      }
      return json(route, 200, { sessions });
    });
    await page.route('**/sessions/*', (route) => {
      const id = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
      sessions = sessions.filter((s) => s.id !== id);
      return noContent(route);
    });

    await signIn(page, username);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    const current = page.locator('li.current');
    await current.waitFor();
    // The whole list is drawn before its buttons are counted.
    await page.getByRole('button', { name: /^End this session: Safari on iOS/ }).waitFor();
    expect(await current.innerText()).to.contain('This device');
    expect(await current.getByRole('button', { name: /^End this session/ }).count()).to.equal(0); // this one ends by signing out
    await review(page, 'account-sessions-list');

    await page.getByRole('button', { name: /^End this session: Safari on iOS/ }).click();
    await page.getByText('The session has been ended.').waitFor();
    expect(sessions.map((s) => s.id)).to.deep.equal(['s-here', 's-cli']);
    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByText('All your other sessions have been ended.').waitFor();
    expect(sessions.map((s) => s.id)).to.deep.equal(['s-here']);
    // The button goes when the list is drawn again without the others.
    await page.getByRole('button', { name: 'Sign out all other sessions' }).waitFor({ state: 'detached' });
  });

  it("lets an admin disable a user with a reason, and read the user's and everyone's audit entries with filters", async () => {
    const admin = uniqueName('admin');
    await createAdmin(suite, admin);
    const username = uniqueName('hank');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    const entries = [
      { id: 'a2', time: new Date().toISOString(), type: 'login.failed', outcome: 'failure', actor: 'anonymous', subjectUserId: userId, clientAddress: '203.0.113.9', details: { reason: 'wrong-password' } },
      { id: 'a1', time: new Date(Date.now() - 60_000).toISOString(), type: 'user.created', outcome: 'success', actor: 'system', subjectUserId: userId, clientAddress: '127.0.0.1' },
    ];
    const auditQueries: string[] = [];
    let status = 'active';
    const statusBodies: unknown[] = [];
    const adminId = (await suite.db('users').where({ username: admin }).first('id')).id as string;
    await page.route((url) => url.pathname === `/users/${userId}` || url.pathname === `/users/${adminId}`, async (route) => {
      const res = await route.fetch();
      await json(route, 200, { ...((await res.json()) as object), status });
    });
    await page.route(`**/users/${userId}/status`, async (route) => {
      statusBodies.push(route.request().postDataJSON());
      status = 'disabled';
      const res = await route.fetch({ method: 'GET', url: `${suite.base}/users/${userId}`, postData: undefined });
      await json(route, 200, { ...((await res.json()) as object), status });
    });
    await page.route(`**/users/${userId}/sessions`, (route) => json(route, 200, { sessions: [] }));
    await page.route((url) => url.pathname === '/audit', (route) => {
      auditQueries.push(new URL(route.request().url()).search);
      return json(route, 200, { entries, nextCursor: null });
    });

    await signIn(page, admin);
    await page.goto(`${suite.base}/ui/admin/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: `User ${username}` }).waitFor();
    await page.getByText('Login failed').waitFor();
    await page.getByLabel('Reason (optional)').fill('left the company');
    await page.getByRole('button', { name: 'Disable account' }).click();
    await page.getByText(`${username} is disabled and signed out everywhere.`).waitFor();
    expect(statusBodies).to.deep.equal([{ status: 'disabled', reason: 'left the company' }]);
    await page.getByRole('button', { name: 'Enable account' }).waitFor();
    await review(page, 'admin-user-status');

    // An admin's own page offers no way to disable itself (the service refuses it too).
    await page.goto(`${suite.base}/ui/admin/users/${adminId}`);
    await page.getByRole('heading', { level: 1, name: `User ${admin}` }).waitFor();
    await page.getByText('You cannot disable your own account.').waitFor();
    expect(await page.getByRole('button', { name: /^Disable/ }).count()).to.equal(0);

    await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByText('wrong-password', { exact: false }).waitFor();
    await page.getByLabel('Type').fill('login.failed');
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.waitForURL('**/ui/admin/audit?type=login.failed');
    await review(page, 'admin-audit-list');
    const queries = auditQueries.map((q) => Object.fromEntries(new URLSearchParams(q)));
    expect(queries[0]).to.deep.equal({ userId, limit: '20' });
    expect(queries).to.deep.include({ type: 'login.failed', limit: '50' });
  });

  it('shows my recent activity', async () => {
    const username = uniqueName('act');
    await createUser(suite, username);
    const page = await suite.newPage();
    await page.route('**/users/me/activity', (route) =>
      json(route, 200, {
        entries: [
          { id: 'e2', time: new Date().toISOString(), type: 'session.ended', outcome: 'success', clientAddress: '127.0.0.1', details: { reason: 'logout' } },
          { id: 'e1', time: new Date(Date.now() - 3600_000).toISOString(), type: 'login.succeeded', outcome: 'success', clientAddress: '127.0.0.1' },
        ],
      }),
    );
    await signIn(page, username);
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { level: 1, name: 'Recent activity' }).waitFor();
    await page.getByText('Login succeeded').waitFor();
    await page.getByText('Session ended').waitFor();
    await review(page, 'account-activity-list');
  });
});

describe('web UI passkeys with a virtual authenticator (the service answers stubbed in the browser)', function () {
  this.timeout(180_000);
  const suite = uiSuite();

  it('adds a named passkey, signs in with it and no password, and removes it', async () => {
    const username = uniqueName('pk');
    await createUser(suite, username);
    const page = await suite.newPage();
    // A relying party id must be a host name, not an IP address: this test talks to the service as localhost.
    const base = suite.base.replace('127.0.0.1', 'localhost');
    const cdp = await suite.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    const b64url = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + 11) % 256)).toString('base64url');
    const passkeys: { id: string; name: string; createdAt: string }[] = [];
    const sent: Record<string, unknown>[] = [];
    let signedInWithPasskey = false;
    await publish(page, ['/webauthn/credentials', '/webauthn/register/options', '/webauthn/register']);
    await page.route('**/webauthn/credentials', (route) => json(route, 200, { credentials: passkeys }));
    await page.route('**/webauthn/register/options', (route) =>
      json(route, 200, {
        challenge: b64url(32),
        rp: { name: 'authsvc', id: 'localhost' },
        user: { id: b64url(16), name: username, displayName: username },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
        timeout: 60_000,
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        excludeCredentials: [],
      }),
    );
    await page.route('**/webauthn/register', (route) => {
      const body = route.request().postDataJSON() as { response: { id: string; response: { attestationObject?: string } }; name: string };
      sent.push({ kind: 'register', name: body.name, hasAttestation: typeof body.response.response.attestationObject === 'string' });
      passkeys.push({ id: body.response.id, name: body.name, createdAt: new Date().toISOString() });
      return json(route, 201, passkeys[passkeys.length - 1]);
    });
    await page.route('**/webauthn/login/options', (route) =>
      json(route, 200, { challenge: b64url(32), rpId: 'localhost', allowCredentials: [], userVerification: 'preferred', timeout: 60_000 }),
    );
    await page.route('**/webauthn/login', (route) => {
      const body = route.request().postDataJSON() as { response: { id: string; response: { signature?: string } } };
      sent.push({ kind: 'login', known: passkeys.some((p) => p.id === body.response.id), signed: typeof body.response.response.signature === 'string' });
      signedInWithPasskey = true;
      return json(route, 200, { id: 'x', username, role: 'user' });
    });

    await page.goto(`${base}/ui/sign-in`);
    await page.getByLabel(/^Username/).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/ui/account');
    await page.goto(`${base}/ui/account/security`);
    await page.getByText('No passkeys yet.', { exact: false }).waitFor();
    await page.getByLabel('Name for the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey “Test laptop” has been added.').waitFor();
    await page.getByText('Test laptop', { exact: true }).waitFor();
    await review(page, 'second-factor-passkeys');

    // Signed out, the passkey alone signs in.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/sign-in');
    const me = await (await page.request.get(`${base}/users/me`)).status();
    expect(me).to.equal(401);
    await page.route('**/users/me', async (route) => {
      if (!signedInWithPasskey) return route.fallback();
      const now = new Date().toISOString();
      return json(route, 200, { id: 'x', username, role: 'user', createdAt: now, updatedAt: now });
    });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/ui/account');
    expect(sent).to.deep.equal([
      { kind: 'register', name: 'Test laptop', hasAttestation: true },
      { kind: 'login', known: true, signed: true },
    ]);

    // Removing asks first, then the list no longer has it.
    await page.route('**/webauthn/credentials/*', (route) => {
      const id = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
      sent.push({ kind: route.request().method(), known: passkeys.some((p) => p.id === id) });
      passkeys.splice(0, passkeys.length, ...passkeys.filter((p) => p.id !== id));
      return noContent(route);
    });
    await page.getByRole('link', { name: 'Second factor' }).click();
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByText('The passkey “Test laptop” has been removed.').waitFor();
    await page.getByText('No passkeys yet.', { exact: false }).waitFor();
    expect(sent[2]).to.deep.equal({ kind: 'DELETE', known: true });
  });
});
