import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DeleteUser } from '../../src/application/accounts/delete-user.js';
import { createAdmin, createUser, PASSWORD, review, signIn, uiSuite, uniqueName } from './browser.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('web UI in a real browser', function () {
  this.timeout(180_000);
  const suite = uiSuite();

  /** The error shown under an input, read through the input's aria-describedby as a screen reader would. */
  async function errorOf(page: Page, label: string, form?: string): Promise<string> {
    const input = (form ? page.getByRole('form', { name: form }) : page).getByLabel(label, { exact: true });
    await page.waitForFunction((el) => el?.getAttribute('aria-invalid') === 'true', await input.elementHandle());
    const ids = (await input.getAttribute('aria-describedby'))!.split(' ').filter((id) => id.endsWith('-error'));
    expect(ids, `an error tied to ${label}`).to.have.length(1);
    return (await page.locator(`#${ids[0]}`).innerText()).replace(/^⚠\s*/, '');
  }

  it('registers an account and lands on it signed in', async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.base}/ui/`);
    await page.waitForURL('**/ui/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await review(page, 'sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await review(page, 'register');
    const username = uniqueName('alice');
    await page.getByLabel(/^Username/).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/ui/account');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    expect(await page.getByText(`Signed in as ${username}`).count()).to.equal(1);
    expect(await suite.db('users').where({ username }).first('role')).to.deep.equal({ role: 'user' });
    // A plain user never sees the admin's links.
    expect(await page.getByRole('link', { name: 'Users', exact: true }).count()).to.equal(0);
    expect(await page.getByRole('link', { name: 'Audit trail' }).count()).to.equal(0);
    await review(page, 'account');
  });

  it("shows the API's errors in words next to the field they name, and moves focus there", async () => {
    const taken = uniqueName('taken');
    await createUser(suite, taken);
    const page = await suite.newPage();
    await page.goto(`${suite.base}/ui/register`);
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();

    // Checked here before sending: the two passwords differ.
    await page.getByLabel(/^Username/).fill(uniqueName('bob'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill('something else');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await errorOf(page, 'Password again')).to.equal('The two passwords are not the same.');
    expect(await focusedOnceSettled(page, 'id', 'field-confirm')).to.equal('field-confirm');

    // Checked by the service: a username too short (400 validation-failed, errors[].field = username).
    await page.getByLabel(/^Username/).fill('ab');
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await errorOf(page, 'Username')).to.equal('Must be 3 to 64 characters long.');
    expect(await focusedOnceSettled(page, 'id', 'field-username')).to.equal('field-username');
    expect(await page.getByLabel('Password again').getAttribute('aria-invalid')).to.equal(null);

    // The password policy names the password field.
    await page.getByLabel(/^Username/).fill(uniqueName('bob'));
    await page.getByLabel('Password', { exact: true }).fill('password1');
    await page.getByLabel('Password again').fill('password1');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await errorOf(page, 'Password')).to.match(/^Is one of the most common passwords/);

    // 409 username-taken names the username.
    await page.getByLabel(/^Username/).fill(taken);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await errorOf(page, 'Username')).to.equal('This username is already taken.');
    await review(page, 'register-errors');

    // A wrong password names no field: the message stands above the form, and takes the focus.
    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByLabel(/^Username/).fill(taken);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).to.equal('The username or password is incorrect.');
    expect(await focusedOnceSettled(page, 'className', 'form-error')).to.equal('form-error');
    await review(page, 'sign-in-error');

    // Empty fields are named before anything is sent.
    await page.getByLabel(/^Username/).fill('');
    await page.getByLabel('Password', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // With email sign-in served, the field reads "Username or email".
    expect(await errorOf(page, 'Username or email')).to.equal('Enter your username.');
    expect(await errorOf(page, 'Password')).to.equal('Enter your password.');

    // 403 incorrect-current-password names currentPassword.
    await signIn(suite, page, taken);
    await page.getByRole('form', { name: 'Change password' }).getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await errorOf(page, 'Current password', 'Change password')).to.equal('Does not match the account password.');
    await review(page, 'account-errors');
  });

  it('signs in with the keyboard alone', async () => {
    const username = uniqueName('keys');
    await createUser(suite, username);
    const page = await suite.newPage();
    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // The page's heading has the focus when it opens; the next stop is the first field.
    expect(await focused(page, 'tagName')).to.equal('H1');
    await page.keyboard.press('Tab');
    expect(await focused(page, 'id')).to.equal('field-username');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    expect(await focused(page, 'id')).to.equal('field-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/ui/account');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    expect(await focused(page, 'tagName')).to.equal('H1');

    // The skip link is the first stop on every page and lands on the main content.
    for (let i = 0; i < 12 && (await focused(page, 'textContent')) !== 'Skip to content'; i++) await page.keyboard.press('Shift+Tab');
    expect(await focused(page, 'textContent')).to.equal('Skip to content');
    await page.keyboard.press('Enter');
    expect(await focused(page, 'id')).to.equal('main');
  });

  it('changes the password, signs out, and signs in again with the new one only', async () => {
    const username = uniqueName('carol');
    await createUser(suite, username);
    const page = await suite.newPage();
    await signIn(suite, page, username);

    await page.getByRole('form', { name: 'Change password' }).getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed.').waitFor();
    expect(await page.getByRole('form', { name: 'Change password' }).getByLabel('Current password').inputValue()).to.equal('');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/sign-in');
    await page.getByText('You have signed out.').waitFor();
    // The session is gone on the server too: a page for the signed-in now sends the visitor to sign in, and back
    // to that page afterwards.
    await page.goto(`${suite.base}/ui/account/sessions`);
    await page.waitForURL('**/ui/sign-in');

    await page.getByLabel(/^Username/).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).to.equal('The username or password is incorrect.');

    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/ui/account/sessions');
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    expect(await page.getByText(`Signed in as ${username}`).count()).to.equal(1);
  });

  it('asks for the password again in a dialog when the address change needs a recent sign-in, then makes the change', async () => {
    const username = uniqueName('dora');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    await signIn(suite, page, username);
    // Past REAUTH_WINDOW_SECONDS since this sign-in, the service asks for a recent one. Requests are only watched.
    suite.clock.advance(11 * 60);
    const puts: number[] = [];
    page.on('response', (res) => {
      if (res.request().method() === 'PUT' && res.url().endsWith(`/users/${userId}/email`)) puts.push(res.status());
    });
    const address = `${username}@example.com`;
    const form = page.getByRole('form', { name: 'Change email address' });
    await form.getByLabel('New email address').fill(address);
    await form.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change address' }).click();

    // Cancelled: nothing changes, and the form says so.
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('reauth-password');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await form.getByText('Cancelled: nothing was changed.').waitFor();
    expect((await suite.db('users').where({ id: userId }).first('email')).email).to.equal(null);

    // Confirmed: the change is sent again and made.
    await page.getByRole('button', { name: 'Change address' }).click();
    await dialog.waitFor();
    await review(page, 'account-email-reauthenticate');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`We sent a link to ${address}: open it to confirm the address.`).waitFor();
    expect(puts).to.deep.equal([403, 403, 200]);
    expect((await suite.db('users').where({ id: userId }).first('email')).email).to.equal(address);
  });

  it('asks for the password again in a dialog when the password change needs a recent sign-in, then makes the change', async () => {
    const username = uniqueName('pat');
    const userId = await createUser(suite, username);
    const hashOf = async (): Promise<string> => (await suite.db('users').where({ id: userId }).first('passwordHash')).passwordHash;
    const before = await hashOf();
    const page = await suite.newPage();
    await signIn(suite, page, username);
    suite.clock.advance(11 * 60); // past REAUTH_WINDOW_SECONDS since this sign-in
    const puts: number[] = [];
    page.on('response', (res) => {
      if (res.request().method() === 'PUT' && res.url().endsWith(`/users/${userId}/password`)) puts.push(res.status());
    });
    const form = page.getByRole('form', { name: 'Change password' });
    const fill = async () => {
      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await form.getByLabel('New password again').fill(NEW_PASSWORD);
    };
    await fill();
    await form.getByRole('button', { name: 'Change password' }).click();

    // Cancelled: nothing changes, and the form says so.
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('reauth-password');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await form.getByText('Cancelled: nothing was changed.').waitFor();
    expect(await hashOf()).to.equal(before);

    // Confirmed: the change is sent again and made.
    await fill();
    await form.getByRole('button', { name: 'Change password' }).click();
    await dialog.waitFor();
    await review(page, 'account-password-reauthenticate');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Your password has been changed.').waitFor();
    expect(puts).to.deep.equal([403, 403, 204]);
    expect(await hashOf()).not.to.equal(before);
  });

  it("lets an admin find a user, change the user's role and delete the user after confirming", async () => {
    const admin = uniqueName('admin');
    await createAdmin(suite, admin);
    const username = uniqueName('dave');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    await signIn(suite, page, admin);

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByText(/users? on this page/).waitFor();

    // The search is the service's: it finds a user on any page, and only those whose name starts with the words.
    // More than a page of others first, so that a filter over the page on screen could not find the user.
    for (let i = 0; i < 21; i += 1) await createUser(suite, uniqueName(`zz${i}`));
    const search = page.getByLabel('Name or address starts with');
    const typed = username.slice(0, 9).toUpperCase(); // names are stored lower case; the search ignores case
    await search.fill(typed);
    await page.keyboard.press('Enter');
    await page.getByText(`1 user whose name or address starts with “${typed}” on this page.`).waitFor();
    await page.getByRole('link', { name: username }).waitFor();
    expect(await page.getByRole('link', { name: admin }).count()).to.equal(0);
    expect(new URL(page.url()).search).to.equal(`?q=${typed}`);
    await review(page, 'admin-users');

    await search.fill('zz');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(/^20 users whose name or address starts with “zz” on this page, more on the next page\.$/).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('heading', { name: 'Page 2' }).waitFor();
    expect(await page.locator('#users-page-heading ~ ul li').count()).to.equal(1);
    expect(await page.getByRole('link', { name: username }).count()).to.equal(0);

    // A search the service refuses says why, next to the box.
    await search.fill('ab\u0001c');
    await page.keyboard.press('Enter');
    expect(await errorOf(page, 'Name or address starts with')).to.match(/control characters/i);

    await search.fill(username);
    await page.keyboard.press('Enter');

    await page.getByRole('link', { name: username }).click();
    await page.waitForURL(`**/ui/admin/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: `User ${username}` }).waitFor();
    await page.getByLabel(/^Admin/).check();
    await page.getByRole('button', { name: 'Save role' }).click();
    await page.getByText(`${username} is now an admin.`).waitFor();
    expect(await suite.db('users').where({ id: userId }).first('role')).to.deep.equal({ role: 'admin' });
    await review(page, 'admin-user');

    // Deleting asks first; cancelling keeps the user.
    await page.getByRole('button', { name: `Delete ${username}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${username}?` });
    await dialog.waitFor();
    await review(page, 'admin-user-delete');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await suite.db('users').where({ id: userId }).count({ n: '*' }).first()).to.deep.include({ n: 1 });

    await page.getByRole('button', { name: `Delete ${username}…` }).click();
    await dialog.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL('**/ui/admin/users');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('link', { name: admin }).waitFor();
    expect(await page.getByRole('link', { name: username }).count()).to.equal(0);
    expect(await suite.db('users').where({ id: userId }).first()).to.equal(undefined);
  });

  it("shows a user's page to nobody but an admin, and the admin's own page offers no delete or disable", async () => {
    const username = uniqueName('erin');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    await signIn(suite, page, username);
    await page.goto(`${suite.base}/ui/admin/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

    const admin = uniqueName('admin');
    await createAdmin(suite, admin);
    const adminId = (await suite.db('users').where({ username: admin }).first('id')).id as string;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/sign-in');
    await signIn(suite, page, admin);
    await page.goto(`${suite.base}/ui/admin/users/${adminId}`);
    await page.getByRole('heading', { level: 1, name: `User ${admin}` }).waitFor();
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: /^Disable/ }).count()).to.equal(0);
  });

  it('falls back to sign-in when the session ends while a page is open', async () => {
    const username = uniqueName('frank');
    const userId = await createUser(suite, username);
    const page = await suite.newPage();
    await signIn(suite, page, username);
    await suite.container.get(DeleteUser).execute({ userId }, { userId: 'someone-else', role: 'admin' });
    // Coming back to the tab re-checks the session.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await page.waitForURL('**/ui/sign-in');
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
  });

  it('says "not available" on the pages whose endpoints a server does not have (an older version)', async () => {
    const admin = uniqueName('admin');
    await createAdmin(suite, admin);
    const userId = await createUser(suite, uniqueName('gina'));
    const page = await suite.newPage();
    // This service has every one of them: the browser is made to see a server without them, as an older
    // version answers (404, and not in its OpenAPI document).
    const missing = /^\/(sessions|mfa|webauthn|audit|password|email)(\/|$)|^\/users\/[^/]+\/(activity|sessions|email)(\/|$)/;
    await page.route('**/openapi.json', async (route) => {
      const res = await route.fetch();
      const doc = (await res.json()) as { paths: Record<string, unknown> };
      for (const path of Object.keys(doc.paths)) if (missing.test(path)) delete doc.paths[path];
      await route.fulfill({ response: res, json: doc });
    });
    await page.route(
      (url) => missing.test(url.pathname),
      (route) =>
        route.fulfill({
          status: 404,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: '/problems/not-found', title: 'Not found', status: 404, code: 'not-found' }),
        }),
    );
    await signIn(suite, page, admin);

    const pages: [string, string, string][] = [
      ['/account/sessions', 'My sessions', 'account-sessions'],
      ['/account/security', 'Second factor', 'account-second-factor'],
      ['/account/activity', 'Recent activity', 'account-activity'],
      ['/admin/audit', 'Audit trail', 'admin-audit'],
    ];
    for (const [route, title, shot] of pages) {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: navName(title) })
        .click();
      await page.waitForURL(`**/ui${route}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.locator('.not-available').first().waitFor();
      await review(page, shot);
    }

    await page.goto(`${suite.base}/ui/account/security`);
    await page.getByText('This server does not offer passkeys yet.').waitFor();
    await page.getByText('This server does not offer codes from an authenticator app yet.').waitFor();
    await page.getByText('This server does not offer recovery codes yet.').waitFor();
    expect(await page.locator('.not-available').count()).to.equal(3); // app codes, recovery codes, passkeys
    expect(await page.getByRole('button', { name: 'Set up an authenticator app' }).count()).to.equal(0);

    await page.goto(`${suite.base}/ui/admin/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: /^User / }).waitFor();
    await page.getByText('This server does not offer an audit trail yet.').waitFor();
    // Their sessions and their audit entries; the status section follows the user's own fields, which this server has.
    expect(await page.locator('.not-available').count()).to.equal(2);

    // Actions whose endpoints are missing say so in words where they were asked for.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/sign-in');

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('Signing in with a passkey is not available on this server.').waitFor();

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await review(page, 'forgot-password');
    await page.getByLabel('Username or email').fill(admin);
    await page.getByRole('button', { name: 'Send a reset link' }).click();
    await page.getByText('This is not available on this server.').waitFor();

    // The token is read from the fragment and taken out of the address bar at once.
    await page.goto(`${suite.base}/ui/reset-password#token=abc123`);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    expect(new URL(page.url()).hash).to.equal('');
    await review(page, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('This is not available on this server.').waitFor();

    await page.goto(`${suite.base}/ui/verify-email#token=abc123`);
    await page.getByRole('heading', { level: 1, name: 'Confirm your email address' }).waitFor();
    expect(new URL(page.url()).hash).to.equal('');
    await review(page, 'verify-email');
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByText('This is not available on this server.').waitFor();

    await page.goto(`${suite.base}/ui/reset-password`);
    await page.getByText('This page needs the link from the email.').waitFor();
  });

  it('reads well on a phone-sized screen: nothing wider than the screen', async () => {
    const username = uniqueName('phone');
    await createUser(suite, username);
    const page = await suite.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${suite.base}/ui/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectNoSideScroll(page);
    await review(page, 'phone-sign-in');
    await signIn(suite, page, username);
    await expectNoSideScroll(page);
    await review(page, 'phone-account');
  });
});

function navName(title: string): string {
  return { 'My sessions': 'Sessions', 'Recent activity': 'Activity' }[title] ?? title;
}

async function expectNoSideScroll(page: Page): Promise<void> {
  const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
  const width = await page.evaluate<number>('window.innerWidth');
  expect(scroll, 'page width').to.be.at.most(width);
}

/**
 * What has the focus once the page has moved it there (the form moves it after drawing the answer, which on a
 * loaded machine may land a moment after the error shows), or what has it after 5 s.
 */
async function focusedOnceSettled(page: Page, property: 'id' | 'className', expected: string): Promise<string | undefined> {
  await page
    .waitForFunction(`String(document.activeElement?.${property}) === ${JSON.stringify(expected)}`, undefined, { timeout: 5_000 })
    .catch(() => undefined); // the assertion after it says what had the focus instead
  return focused(page, property);
}

/** A property of the element that has the keyboard focus. */
async function focused(page: Page, property: 'id' | 'className' | 'tagName' | 'textContent'): Promise<string | undefined> {
  return page.evaluate<string | undefined>(`document.activeElement?.${property}`);
}
