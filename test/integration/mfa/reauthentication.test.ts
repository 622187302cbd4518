import { expect } from 'chai';
import request from 'supertest';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { expectProblem, PASSWORD, uniqueName } from '../http/helpers.js';
import { codeAt, enrolTotp, halfLoggedIn, loggedIn, mfaWorld, MovableClock, registerUser } from './helpers.js';

const databases: [string, OpenDb][] = [
  ['MySQL', onMySql],
  ['the embedded SQLite', onSqlite],
];
const NEW_PASSWORD = 'a brand new passphrase 42';

for (const [name, open] of databases) {
  describe(`Re-authentication before sensitive changes on ${name}`, function () {
    const w = mfaWorld(open, { REAUTH_WINDOW_SECONDS: '600' });

    it('allows second-factor and password changes within 600 s of the login, and refuses them after (403 reauthentication-required)', async () => {
      const account = await registerUser(w.app);
      const agent = await loggedIn(w.app, account);
      w.clock.advance(590);
      await agent.post('/mfa/totp').expect(200);
      w.clock.advance(11);
      for (const res of await Promise.all([
        agent.post('/mfa/totp'),
        agent.post('/mfa/totp/confirm').send({ code: '123456' }),
        agent.delete('/mfa/totp'),
        agent.post('/mfa/recovery-codes'),
        agent.post('/webauthn/register/options'),
        agent.post('/webauthn/register').send({ response: {}, name: 'key' }),
        agent.delete('/webauthn/credentials/0190a000-0000-7000-8000-000000000000'),
        agent.put(`/users/${account.id}/password`).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        agent.put(`/users/${account.id}/email`).send({ email: `${account.username}@example.com`, currentPassword: PASSWORD }),
      ])) {
        expectProblem(res, 403, 'reauthentication-required');
      }
      // Reading is not a change.
      await agent.get('/mfa').expect(200);
      await agent.get('/webauthn/credentials').expect(200);
      await agent.get('/users/me').expect(200);
    });

    it('renews the window with the password (a wrong one is refused)', async () => {
      const account = await registerUser(w.app);
      const agent = await loggedIn(w.app, account);
      w.clock.advance(601);
      expectProblem(await agent.post('/reauthenticate').send({ password: 'not the password at all' }), 403, 'incorrect-current-password');
      expectProblem(await agent.post('/mfa/totp'), 403, 'reauthentication-required');
      await agent.post('/reauthenticate').send({ password: PASSWORD }).expect(204);
      await agent.put(`/users/${account.id}/password`).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }).expect(204);
      w.clock.advance(601);
      expectProblem(
        await agent.put(`/users/${account.id}/password`).send({ currentPassword: NEW_PASSWORD, newPassword: PASSWORD }),
        403,
        'reauthentication-required',
      );
    });

    it("takes one place in the login throttle per password, as a login: a right one gives the client's back, a wrong one is counted once", async () => {
      const limited = w.appWith(
        { TRUST_PROXY: '1', LOGIN_LIMITS_CLIENT: '3/60', LOGIN_LIMITS_ACCOUNT: '4/60' },
        new MovableClock(w.clock.ms),
      );
      const from = (client: string) => (test: request.Test) => void test.set('X-Forwarded-For', client);
      const [client, elsewhere] = [1, 2].map((n) => `198.51.${100 + n}.${Math.floor(Math.random() * 250) + 1}`) as [string, string];
      const account = await registerUser(limited.app);
      const login = (password: string, at: string) =>
        request(limited.app.callback()).post('/login').use(from(at)).send({ username: account.username, password });
      const agent = request.agent(limited.app.callback());
      await agent.post('/login').use(from(client)).send({ username: account.username, password: PASSWORD }).expect(200);
      // Two of the client's three places are taken by failures: each right re-authentication needs one, and gives it back.
      for (let i = 0; i < 2; i += 1) expectProblem(await login('not the password at all', client), 401, 'invalid-credentials');
      for (let i = 0; i < 6; i += 1) await agent.post('/reauthenticate').use(from(client)).send({ password: PASSWORD }).expect(204);
      await login(PASSWORD, client).expect(200);
      // Two wrong ones count two of the account's four failures, not four: the account still logs in.
      for (let i = 0; i < 2; i += 1) {
        expectProblem(
          await agent.post('/reauthenticate').use(from(elsewhere)).send({ password: 'not the password at all' }),
          403,
          'incorrect-current-password',
        );
      }
      await login(PASSWORD, elsewhere).expect(200);
    });

    it('renews the window with a one-time code or a recovery code', async () => {
      const account = await registerUser(w.app);
      const setup = await loggedIn(w.app, account);
      const { secret, recoveryCodes } = await enrolTotp(setup, w.clock);
      const agent = await halfLoggedIn(w.app, account);
      await agent
        .post('/login/mfa')
        .send({ code: codeAt(secret, w.clock) })
        .expect(200);
      w.clock.advance(601);
      expectProblem(await agent.post('/mfa/recovery-codes'), 403, 'reauthentication-required');
      expectProblem(await agent.post('/reauthenticate').send({ code: codeAt(secret, w.clock, -20) }), 401, 'invalid-code');
      await agent
        .post('/reauthenticate')
        .send({ code: codeAt(secret, w.clock) })
        .expect(204);
      const fresh = (await agent.post('/mfa/recovery-codes').expect(200)).body.recoveryCodes as string[];
      w.clock.advance(601);
      expectProblem(await agent.post('/reauthenticate').send({ code: codeAt(secret, w.clock, -20) }), 401, 'invalid-code');
      expectProblem(await agent.post('/reauthenticate').send({ recoveryCode: recoveryCodes[0] }), 401, 'invalid-code'); // voided by the new set
      await agent.post('/reauthenticate').send({ recoveryCode: fresh[0] }).expect(204);
      await agent.delete('/mfa/totp').expect(204);
    });

    it("applies to one's own password however its id is written, and not to someone else's", async () => {
      const clock = new MovableClock(w.clock.ms);
      const other = w.appWith({}, clock);
      const account = await registerUser(other.app);
      const agent = await loggedIn(other.app, account);
      clock.advance(601);
      expectProblem(
        await agent.put(`/users/${account.id}/password`).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        403,
        'reauthentication-required',
      );
      // The same request, url-encoded id: still the caller's own password.
      expectProblem(
        await agent.put(`/users/${encodeURIComponent(account.id)}/password`).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        403,
        'reauthentication-required',
      );
      // Another user's password: the usual rules answer (403 forbidden for a plain user), not the window.
      const stranger = await registerUser(other.app);
      expectProblem(await agent.put(`/users/${stranger.id}/password`).send({ newPassword: NEW_PASSWORD }), 403, 'forbidden');
    });

    it("applies to one's own address (renewed by re-authenticating), not to an admin changing someone else's", async () => {
      const clock = new MovableClock(w.clock.ms);
      const other = w.appWith({}, clock);
      const account = await registerUser(other.app);
      const agent = await loggedIn(other.app, account);
      const path = `/users/${account.id}/email`;
      await agent
        .put(path)
        .send({ email: `${account.username}@example.com`, currentPassword: PASSWORD })
        .expect(200);
      clock.advance(601);
      expectProblem(
        await agent.put(path).send({ email: `${account.username}.2@example.com`, currentPassword: PASSWORD }),
        403,
        'reauthentication-required',
      );
      expectProblem(
        await agent
          .put(`/users/${encodeURIComponent(account.id)}/email`)
          .send({ email: `${account.username}.2@example.com`, currentPassword: PASSWORD }),
        403,
        'reauthentication-required',
      );
      const [unchanged] = await w.db('users').where({ id: account.id }).select('email');
      expect(unchanged.email).to.equal(`${account.username}@example.com`);
      await agent.post('/reauthenticate').send({ password: PASSWORD }).expect(204);
      await agent
        .put(path)
        .send({ email: `${account.username}.2@example.com`, currentPassword: PASSWORD })
        .expect(200);

      // An admin whose own sign-in is old changes another user's address: the admin's role decides, not a window.
      const adminName = uniqueName('admin');
      await other.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
      const admin = request.agent(other.app.callback());
      await admin.post('/login').send({ username: adminName, password: PASSWORD }).expect(200);
      clock.advance(601);
      const changed = await admin
        .put(path)
        .send({ email: `${account.username}.3@example.com` })
        .expect(200);
      expect(changed.body).to.include({ id: account.id, email: `${account.username}.3@example.com` });
    });

    it("refuses an access token for its own user's password or address, however fresh: it carries no authentication time", async () => {
      const { app } = w.appWith({}, new MovableClock()); // the token's times are checked against the real clock too
      const account = await registerUser(app);
      const agent = await loggedIn(app, account);
      const { accessToken } = (await agent.post('/token').expect(200)).body as { accessToken: string };
      const withToken = () => request(app.callback());
      const auth = ['Authorization', `Bearer ${accessToken}`] as const;
      const email = { email: `${account.username}@example.com`, currentPassword: PASSWORD };
      expectProblem(
        await withToken()
          .put(`/users/${account.id}/email`)
          .set(...auth)
          .send(email),
        403,
        'reauthentication-required',
      );
      expectProblem(
        await withToken()
          .put(`/users/${account.id}/password`)
          .set(...auth)
          .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        403,
        'reauthentication-required',
      );
      await withToken()
        .get('/users/me')
        .set(...auth)
        .expect(200); // the token itself works
      await agent.put(`/users/${account.id}/email`).send(email).expect(200); // the session, within the window, may
    });

    it('follows REAUTH_WINDOW_SECONDS', async () => {
      const clock = new MovableClock(w.clock.ms);
      const short = w.appWith({ REAUTH_WINDOW_SECONDS: '60' }, clock);
      const agent = await loggedIn(short.app, await registerUser(short.app));
      clock.advance(59);
      await agent.post('/mfa/totp').expect(200);
      clock.advance(2);
      expectProblem(await agent.post('/mfa/totp'), 403, 'reauthentication-required');
    });
  });
}
