import { expect } from 'chai';
import type { CDPSession, Page } from 'playwright-core';
import { CreateUser } from '../../src/application/accounts/create-user.js';
import { linkIn } from '../support/test-smtp.js';
import { codeForStep } from '../support/totp.js';
import { createAdmin, createUser, PASSWORD, passwordStep, review, signIn, signOut, uiSuite, uniqueName, type UiSuite } from './browser.js';

// The flows a person goes through, in a real browser against the real service: its mail caught by a test SMTP
// server, one-time codes computed here from the secret the page shows, passkeys made by Chromium's virtual
// authenticator. Requests are watched (never answered) by the tests.

const NEW_PASSWORD = 'a brand new passphrase';
const USED_LINK = 'This link is not valid any more: it was used already, has expired, or a newer one was sent.';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('web UI flows against the real service', function () {
  this.timeout(180_000);
  const suite = uiSuite();

  it('registers with an address, confirms it from the mailed link (once), and signs in by the address', async () => {
    const page = await suite.newPage();
    const username = uniqueName('alice');
    const email = `${username}@example.com`;
    await page.goto(`${suite.base}/ui/register`);
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await page.getByLabel(/^Username/).fill(username);
    await page.getByLabel('Email address (optional)').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/ui/account');
    await page.getByText('not confirmed yet').waitFor();

    const link = await mailedLink(suite, email, 'verify-email');
    expect(link.url.startsWith(`${suite.base}/ui/verify-email#token=`)).to.equal(true);
    await page.goto(link.url);
    await page.getByRole('heading', { level: 1, name: 'Confirm your email address' }).waitFor();
    // The token is read from the fragment and taken out of the address bar at once; opening changes nothing.
    expect(new URL(page.url()).hash).to.equal('');
    expect(Number((await suite.db('users').where({ username }).first('emailVerified')).emailVerified)).to.equal(0);
    await review(page, 'verify-email');
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByText('Your email address is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByText('confirmed', { exact: true }).waitFor();

    // The link is good once.
    await page.goto(link.url);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).to.equal(USED_LINK);

    await page.goto(`${suite.base}/ui/account`);
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await signOut(page);
    await page.getByLabel('Username or email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/ui/account');
    await page.getByText(`Signed in as ${username}`).waitFor();
  });

  it('enrols an authenticator app after re-authenticating, shows the recovery codes once, and signs in with a code or a recovery code', async () => {
    const username = uniqueName('totp');
    await createUser(suite, username);
    const page = await suite.newPage();
    const answers = watch(page, /^\/(mfa\/totp|mfa\/totp\/confirm|reauthenticate)$/);
    const secondSteps: unknown[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/login/mfa') secondSteps.push(request.postDataJSON());
    });
    await signIn(suite, page, username);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Second factor' }).click();
    await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
    await page.getByText('No passkeys yet.', { exact: false }).waitFor();
    // Off, as GET /mfa says: only the button to set one up.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
    expect(await page.getByRole('button', { name: 'Turn off the authenticator app' }).count()).to.equal(0);
    // No second factor yet, so no recovery codes to renew: the section says why instead of offering a button.
    await page.getByText('Recovery codes come with a second factor', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Make new recovery codes' }).count()).to.equal(0);

    // Eleven minutes later the sign-in is no longer recent enough (REAUTH_WINDOW_SECONDS, 600): the password is asked again.
    suite.clock.advance(11 * 60);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    await page.locator('#reauth-password:focus').waitFor(); // the dialog's field has the focus
    await review(page, 'second-factor-reauthenticate');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    const qr = page.getByRole('img', { name: 'QR code holding the secret for your authenticator app' });
    await qr.waitFor();
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(0);
    const secret = (await page.locator('code.secret').innerText()).replace(/\s+/g, '');
    expect(secret).to.match(/^[A-Z2-7]{16,}$/);

    await page.getByLabel('Code from the app').fill(wrongCode(suite, secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('#totp-code-error').waitFor();
    expect(await page.locator('#totp-code-error').innerText()).to.contain('Does not match the authenticator.');
    await review(page, 'second-factor-enrol');

    await page.getByLabel('Code from the app').fill(codeNow(suite, secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await page.getByText('The authenticator app is set up.', { exact: false }).waitFor();
    const codes = await page.locator('ol.codes code').allInnerTexts();
    expect(codes).to.have.length(10);
    expect(new Set(codes).size).to.equal(10);
    await review(page, 'second-factor-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText(codes[0]!, { exact: true }).waitFor({ state: 'detached' }); // shown once: gone after the redraw
    // On now, and still on when the page is opened afresh: only the button to turn it off.
    for (const fresh of [false, true]) {
      if (fresh) await page.reload();
      await page.getByRole('button', { name: 'Turn off the authenticator app' }).waitFor();
      expect(await page.getByRole('button', { name: 'Set up an authenticator app' }).count()).to.equal(0);
      await page.getByRole('button', { name: 'Make new recovery codes' }).waitFor(); // a factor is on: codes can be renewed
    }
    expect(answers).to.deep.equal([
      'POST /mfa/totp 403', // not recent enough
      'POST /reauthenticate 204',
      'POST /mfa/totp 200',
      'POST /mfa/totp/confirm 400',
      'POST /mfa/totp/confirm 200',
    ]);

    // Signed out and in again: the password, then the code.
    await signOut(page);
    await passwordStep(page, username);
    await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
    await page.locator('h1:focus').waitFor(); // the page's heading has the focus
    await review(page, 'sign-in-second-factor');
    await page.getByLabel('Code from your authenticator app').fill(wrongCode(suite, secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#field-code-error').waitFor();
    expect(await page.locator('#field-code-error').innerText()).to.contain('The code is not correct, or was used already.');
    expect(await page.getByLabel('Code from your authenticator app').getAttribute('aria-invalid')).to.equal('true');
    await page.locator('#field-code:focus').waitFor({ timeout: 5_000 }); // the form moves the focus after drawing the error
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('field-code');
    // A code is good once: the next time step's code, not the one that turned the app on.
    suite.clock.advance(30);
    await page.getByLabel('Code from your authenticator app').fill(codeNow(suite, secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/ui/account');
    await page.getByText(`Signed in as ${username}`).waitFor();

    // Recovery codes are the other way in, each once.
    for (const expectIn of [true, false]) {
      await signOut(page);
      await passwordStep(page, username);
      await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Continue' }).click();
      if (expectIn) {
        await page.waitForURL('**/ui/account');
        await page.getByText(`Signed in as ${username}`).waitFor();
      } else {
        await page.locator('#field-recoveryCode-error').waitFor();
        expect(await page.locator('#field-recoveryCode-error').innerText()).to.contain('The code is not correct, or was used already.');
      }
    }
    expect(secondSteps.map((body) => Object.keys(body as object))).to.deep.equal([['code'], ['code'], ['recoveryCode'], ['recoveryCode']]);

    // What happened shows on the account's own activity page.
    await page.getByLabel('Recovery code').fill(codes[1]!);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/ui/account');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { level: 1, name: 'Recent activity' }).waitFor();
    const titles = page.getByRole('region', { name: 'Sign-ins and security changes' }).locator('p.item-title');
    await titles
      .filter({ hasText: /^Logout/ })
      .first()
      .waitFor();
    const shown = (await titles.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    // Newest first: the three sign-outs, the first sign-in, the account's creation.
    expect(shown.filter((t) => t === 'Logout success')).to.have.length(3);
    expect(shown.slice(-2)).to.deep.equal(['Login success', 'User created success']);
    await review(page, 'account-activity-list');

    // Turned off (the recovery-code sign-in is recent enough), the page offers to set one up again, also afresh.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Second factor' }).click();
    await page.getByRole('button', { name: 'Turn off the authenticator app' }).click();
    await page.getByRole('button', { name: 'Yes, turn it off' }).click();
    await page.getByText('The authenticator app is turned off.').waitFor();
    for (const fresh of [false, true]) {
      if (fresh) await page.reload();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
      expect(await page.getByRole('button', { name: 'Turn off the authenticator app' }).count()).to.equal(0);
    }
    const { id } = await suite.db('users').where({ username }).first('id');
    expect(await suite.db('mfa_totp').where({ userId: id }).count({ n: '*' }).first()).to.deep.include({ n: 0 });
  });

  it('adds a named passkey, signs in with it alone and as a second factor, and removes it', async () => {
    const username = uniqueName('pk');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    await virtualAuthenticator(suite, page);
    await signIn(suite, page, username);
    await page.goto(`${suite.base}/ui/account/security`);
    await page.getByText('No passkeys yet.', { exact: false }).waitFor();
    await page.getByLabel('Name for the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey “Test laptop” has been added.').waitFor();
    await page.getByText('Test laptop', { exact: true }).waitFor();
    await review(page, 'second-factor-passkeys');
    expect(await suite.db('webauthn_credentials').where({ userId }).select('name')).to.deep.equal([{ name: 'Test laptop' }]);

    // Signed out, the passkey alone signs in (no username typed: the authenticator offers the account).
    await signOut(page);
    expect((await page.request.get(`${suite.base}/users/me`)).status()).to.equal(401);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/ui/account');
    await page.getByText(`Signed in as ${username}`).waitFor();

    // With a passkey, a password sign-in asks for it as the second factor.
    await signOut(page);
    await passwordStep(page, username);
    await page.getByRole('heading', { level: 1, name: 'Second factor' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/ui/account');
    await page.getByText(`Signed in as ${username}`).waitFor();

    // Removing asks first, then the list no longer has it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Second factor' }).click();
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByText('The passkey “Test laptop” has been removed.').waitFor();
    await page.getByText('No passkeys yet.', { exact: false }).waitFor();
    expect(await suite.db('webauthn_credentials').where({ userId }).count({ n: '*' }).first()).to.deep.include({ n: 0 });
  });

  it('resets a forgotten password from the mailed link, which ends the sessions and works once', async () => {
    const username = uniqueName('reset');
    const email = `${username}@example.com`;
    const userId = await createUserWithConfirmedAddress(suite, username, email);
    // A session elsewhere, which the reset ends.
    const elsewhere = await suite.newPage(await suite.newContext());
    await signIn(suite, elsewhere, username);

    const page = await suite.newPage();
    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await review(page, 'forgot-password');
    await page.getByLabel('Username or email').fill(email);
    await page.getByRole('button', { name: 'Send a reset link' }).click();
    await page.getByText('If an account with a confirmed email address matches', { exact: false }).waitFor();

    const link = await mailedLink(suite, email, 'reset-password');
    await page.goto(link.url);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    expect(new URL(page.url()).hash).to.equal('');
    await review(page, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill('not the same');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.locator('#field-confirm-error').waitFor();
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password has been changed, and every session of your account has been ended.', { exact: false }).waitFor();
    expect(await suite.db('sessions').where({ userId }).count({ n: '*' }).first()).to.deep.include({ n: 0 });
    await elsewhere.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await elsewhere.waitForURL('**/ui/sign-in');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/ui/sign-in');
    await passwordStep(page, username, PASSWORD);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).to.equal('The username or password is incorrect.');
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/ui/account');

    // The link is good once.
    await page.goto(link.url);
    await page.getByLabel('New password', { exact: true }).fill('yet another passphrase');
    await page.getByLabel('New password again').fill('yet another passphrase');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).to.equal(USED_LINK);
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  it('lists my sessions with this device marked, ends another one (whose page then signs in again), then all the others', async () => {
    const username = uniqueName('sess');
    const userId = await createUser(suite, username);
    const phone = await suite.newPage(await suite.newContext({ userAgent: IPHONE, viewport: { width: 390, height: 844 } }));
    await signIn(suite, phone, username);
    const cli = await suite.newContext({ userAgent: 'curl/8.5.0' });
    expect((await cli.request.post(`${suite.base}/login`, { data: { username, password: PASSWORD } })).status()).to.equal(200);
    const page = await suite.newPage();
    await signIn(suite, page, username);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    const current = page.locator('li.current');
    await current.waitFor();
    // The whole list is drawn before its buttons are counted.
    await page.getByRole('button', { name: /^End this session: Safari on iOS/ }).waitFor();
    await page.getByRole('button', { name: /^End this session: curl\/8\.5\.0/ }).waitFor();
    expect(await page.locator('ul.items > li').count()).to.equal(3);
    expect(await current.innerText()).to.contain('This device');
    expect(await current.innerText()).to.contain('Chrome on Linux');
    expect(await current.getByRole('button', { name: /^End this session/ }).count()).to.equal(0); // this one ends by signing out
    await review(page, 'account-sessions-list');

    await page.getByRole('button', { name: /^End this session: Safari on iOS/ }).click();
    await page.getByText('The session has been ended.').waitFor();
    await page.getByRole('button', { name: /^End this session: Safari on iOS/ }).waitFor({ state: 'detached' });
    // The phone's open page finds its session gone when it is looked at again.
    await phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await phone.waitForURL('**/ui/sign-in');
    await phone.getByText('Your session has ended. Please sign in again.').waitFor();

    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByText('All your other sessions have been ended.').waitFor();
    // The button goes when the list is drawn again without the others.
    await page.getByRole('button', { name: 'Sign out all other sessions' }).waitFor({ state: 'detached' });
    expect(await page.locator('ul.items > li').count()).to.equal(1);
    expect((await cli.request.get(`${suite.base}/users/me`)).status()).to.equal(401);
    expect(await suite.db('sessions').where({ userId }).count({ n: '*' }).first()).to.deep.include({ n: 1 });
    await page.getByText(`Signed in as ${username}`).waitFor();
  });

  it("lets an admin disable a user with a reason, whose open page falls back to sign-in, and read the user's and everyone's audit entries with filters", async () => {
    const admin = uniqueName('admin');
    await createAdmin(suite, admin);
    const adminId = (await suite.db('users').where({ username: admin }).first('id')).id as string;
    const username = uniqueName('hank');
    const userId = await createUser(suite, username);
    const theirs = await suite.newPage(await suite.newContext());
    await signIn(suite, theirs, username);

    const page = await suite.newPage();
    const auditQueries: Record<string, string>[] = [];
    const statusBodies: unknown[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/audit') auditQueries.push(Object.fromEntries(url.searchParams));
      if (url.pathname === `/users/${userId}/status`) statusBodies.push(request.postDataJSON());
    });
    await signIn(suite, page, admin);
    await page.goto(`${suite.base}/ui/admin/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: `User ${username}` }).waitFor();
    // Their sign-in is in their audit entries, and their session in their sessions.
    const audit = page.getByRole('region', { name: 'Recent audit entries' });
    await audit.locator('p.item-title', { hasText: /^Login\s*success$/ }).waitFor();
    await page.getByRole('region', { name: 'Sessions' }).getByText('Chrome on Linux').waitFor();
    await page.getByText('This account is active.', { exact: false }).waitFor();
    await page.getByLabel('Reason (optional)').fill('left the company');
    await page.getByRole('button', { name: 'Disable account' }).click();
    await page.getByText(`${username} is disabled and signed out everywhere.`).waitFor();
    await page.getByRole('button', { name: 'Enable account' }).waitFor();
    expect(statusBodies).to.deep.equal([{ status: 'disabled', reason: 'left the company' }]);
    expect(await suite.db('users').where({ id: userId }).first('status', 'statusReason')).to.deep.equal({
      status: 'disabled',
      statusReason: 'left the company',
    });
    await review(page, 'admin-user-status');

    // The user's open page falls back to sign-in, where the password no longer lets them in.
    await theirs.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await theirs.waitForURL('**/ui/sign-in');
    await theirs.getByText('Your session has ended. Please sign in again.').waitFor();
    await passwordStep(theirs, username);
    await theirs.getByRole('alert').waitFor();
    expect(await theirs.getByRole('alert').innerText()).to.equal('This account is disabled. Contact an administrator.');

    // An admin's own page offers no way to disable itself (the service refuses it too).
    await page.goto(`${suite.base}/ui/admin/users/${adminId}`);
    await page.getByRole('heading', { level: 1, name: `User ${admin}` }).waitFor();
    await page.getByText('You cannot disable your own account.').waitFor();
    expect(await page.getByRole('button', { name: /^Disable/ }).count()).to.equal(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByText('reason: disabled', { exact: false }).first().waitFor(); // the refused sign-in
    await page.getByLabel('Type').fill('user.disabled');
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.waitForURL('**/ui/admin/audit?type=user.disabled');
    const entries = page.getByRole('region', { name: 'Entries, newest first' }).locator('ul.items > li');
    await entries.first().getByText('User disabled').waitFor();
    await page.getByText('reason: disabled', { exact: false }).first().waitFor({ state: 'detached' });
    expect(await entries.count()).to.equal(1);
    expect(await entries.first().innerText()).to.contain('reason: left the company');
    expect(await entries.first().innerText()).to.contain(adminId);
    await review(page, 'admin-audit-list');
    expect(auditQueries[0]).to.deep.equal({ userId, limit: '20' });
    expect(auditQueries).to.deep.include({ type: 'user.disabled', limit: '50' });
  });
});

/** `METHOD /path status` of every answer to a request whose path matches, in order. */
function watch(page: Page, path: RegExp): string[] {
  const seen: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (path.test(url.pathname)) seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return seen;
}

const stepOf = (suite: UiSuite) => Math.floor(suite.clock.now().getTime() / 30_000);
const codeNow = (suite: UiSuite, secret: string) => codeForStep(secret, stepOf(suite));

/** A code that no step the service accepts now (this one and its neighbours) has. */
function wrongCode(suite: UiSuite, secret: string): string {
  const step = stepOf(suite);
  const good = new Set([-1, 0, 1].map((drift) => codeForStep(secret, step + drift)));
  for (let far = 1000; ; far++) {
    const code = codeForStep(secret, step + far);
    if (!good.has(code)) return code;
  }
}

/** The link in the one message to `to` that leads to `page` (verify-email, reset-password), waited for. */
async function mailedLink(suite: UiSuite, to: string, page: string): Promise<ReturnType<typeof linkIn>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const links = suite.smtp
      .to(to)
      .flatMap((mail) => (/#token=/.test(mail.text ?? '') ? [linkIn(mail)] : []))
      .filter((l) => l.page === page);
    if (links.length > 1) throw new Error(`${links.length} messages to ${to} lead to ${page}`);
    if (links.length === 1) return links[0]!;
    if (Date.now() > deadline)
      throw new Error(
        `no message to ${to} leading to ${page}; got: ${suite.smtp
          .to(to)
          .map((m) => m.subject)
          .join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Chromium's virtual authenticator for the page: a platform one, with resident keys, that verifies its user. */
async function virtualAuthenticator(suite: UiSuite, page: Page): Promise<CDPSession> {
  const cdp = await suite.context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return cdp;
}

/** An account whose address was confirmed through the link mailed to it, over the API. */
async function createUserWithConfirmedAddress(suite: UiSuite, username: string, email: string): Promise<string> {
  const { id } = await suite.container.get(CreateUser).execute({ username, password: PASSWORD, email }, 'system');
  const { token } = await mailedLink(suite, email, 'verify-email');
  const context = await suite.newContext();
  const res = await context.request.post(`${suite.base}/email/verify`, { data: { token } });
  expect(res.status(), await res.text()).to.be.oneOf([200, 204]);
  return id;
}
