import { expect } from 'chai';
import { createAdmin, createUser, PASSWORD, review, screenshot, uiSuite, uniqueName } from './browser.js';

describe('web UI in a real browser', function () {
  this.timeout(120_000);
  const suite = uiSuite();

  it('registers an account, lands on it signed in, and the pages pass the accessibility check', async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.base}/ui/`);
    await page.waitForURL('**/ui/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await review(page, 'sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await review(page, 'register');
    const username = uniqueName('alice');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/ui/account');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    expect(await page.getByText(`Signed in as ${username}`).count()).to.equal(1);
    expect(await suite.db('users').where({ username }).first('role')).to.deep.equal({ role: 'user' });
    await review(page, 'account');
  });
});
