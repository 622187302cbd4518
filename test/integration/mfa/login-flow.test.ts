import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { KnexPasskeys } from '../../../src/adapters/persistence/mfa/knex-passkeys.js';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { Passkeys } from '../../../src/application/mfa/ports.js';
import { VerifySecondFactor } from '../../../src/application/mfa/verify-second-factor.js';
import { FakePasskeys } from '../../mfa-fakes.js';
import { COOKIE, credentials, expectProblem, outboxTypes, PASSWORD, setCookies, uniqueName } from '../http/helpers.js';
import { codeAt, enrolTotp, halfLoggedIn, loggedIn, mfaWorld, MovableClock, registerUser } from './helpers.js';

const databases: [string, OpenDb][] = [
  ['MySQL', onMySql],
  ['the embedded SQLite', onSqlite],
];

/** A code that is not the current one, nor one step either side. */
/** A passkey row for the account, as registration would store it (the key itself is never checked here). */
async function storePasskey(db: Knex, userId: string, credentialId: string, lastIdChar: string): Promise<void> {
  await new KnexPasskeys(db).add({
    id: userId.replace(/.$/, lastIdChar),
    userId,
    credentialId,
    publicKey: 'AAAA',
    counter: 0,
    transports: [],
    deviceType: 'singleDevice',
    backedUp: false,
    name: 'Laptop',
    createdAt: new Date(),
    lastUsedAt: null,
  });
}

const wrongCode = (right: string) => String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');

for (const [name, open] of databases) {
  describe(`Signing in with a second factor on ${name}`, function () {
    const w = mfaWorld(open);

    describe('throttling', () => {
      it('refuses a sixth code within five minutes, even a right one (429 with Retry-After)', async () => {
        const account = await registerUser(w.app);
        const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const half = await halfLoggedIn(w.app, account);
        for (let i = 0; i < 5; i += 1)
          expectProblem(await half.post('/login/mfa').send({ code: wrongCode(codeAt(secret, w.clock)) }), 401, 'invalid-code');
        const refused = await half.post('/login/mfa').send({ code: codeAt(secret, w.clock) });
        expectProblem(refused, 429, 'too-many-attempts');
        expect(Number(refused.headers['retry-after'])).to.be.within(1, 300);
        // Other accounts are not affected.
        const other = await registerUser(w.app);
        const { secret: otherSecret } = await enrolTotp(await loggedIn(w.app, other), w.clock);
        await (
          await halfLoggedIn(w.app, other)
        )
          .post('/login/mfa')
          .send({ code: codeAt(otherSecret, w.clock) })
          .expect(200);
      });

      it('counts wrong codes against the login throttle of the account too', async () => {
        const strict = w.appWith({ LOGIN_LIMITS_ACCOUNT: '3/60' }, w.clock);
        const account = await registerUser(strict.app);
        const { secret } = await enrolTotp(await loggedIn(strict.app, account), w.clock);
        const half = await halfLoggedIn(strict.app, account); // a right password clears the account's count
        for (let i = 0; i < 3; i += 1)
          expectProblem(await half.post('/login/mfa').send({ code: wrongCode(codeAt(secret, w.clock)) }), 401, 'invalid-code');
        // The login throttle (3 a minute) now refuses both the next code and a password login.
        expectProblem(await half.post('/login/mfa').send({ code: codeAt(secret, w.clock) }), 429, 'too-many-attempts');
        expectProblem(await request(strict.app.callback()).post('/login').send(credentials(account)), 429, 'too-many-attempts');
      });
    });

    describe('recovery codes', () => {
      it('finish a login once each, normalised for case and dashes; a used one is 401 invalid-code', async () => {
        const account = await registerUser(w.app);
        const agent = await loggedIn(w.app, account);
        const { recoveryCodes } = await enrolTotp(agent, w.clock);
        const [first, second] = recoveryCodes as [string, string];
        await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ recoveryCode: first }).expect(200);
        expectProblem(await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ recoveryCode: first }), 401, 'invalid-code');
        await (
          await halfLoggedIn(w.app, account)
        )
          .post('/login/mfa')
          .send({ recoveryCode: second.toUpperCase().replace('-', '') })
          .expect(200);
        expect((await agent.get('/mfa').expect(200)).body.recoveryCodesRemaining).to.equal(8);
        const stored = await w.db('mfa_recovery_codes').where({ userId: account.id }).select('codeHash');
        for (const row of stored) expect(recoveryCodes.map((c) => c.replace('-', ''))).to.not.include(row.codeHash);
      });

      it('used at the same instant, one code finishes exactly one login', async () => {
        const account = await registerUser(w.app);
        const { recoveryCodes } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const agents = await Promise.all([halfLoggedIn(w.app, account), halfLoggedIn(w.app, account), halfLoggedIn(w.app, account)]);
        const results = await Promise.all(agents.map((a) => a.post('/login/mfa').send({ recoveryCode: recoveryCodes[0] })));
        expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401, 401]);
      });

      it('regenerating (recent authentication) voids every old code', async () => {
        const account = await registerUser(w.app);
        const agent = await loggedIn(w.app, account);
        const { recoveryCodes: old } = await enrolTotp(agent, w.clock);
        const { body } = await agent.post('/mfa/recovery-codes').expect(200);
        expect(body.recoveryCodes).to.have.length(10);
        expect(body.recoveryCodes.filter((c: string) => old.includes(c))).to.deep.equal([]);
        expectProblem(await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ recoveryCode: old[1] }), 401, 'invalid-code');
        await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ recoveryCode: body.recoveryCodes[0] }).expect(200);
      });

      it('cannot be made without a second factor (409)', async () => {
        const agent = await loggedIn(w.app, await registerUser(w.app));
        expectProblem(await agent.post('/mfa/recovery-codes'), 409, 'mfa-conflict');
      });
    });

    describe('the half-done session', () => {
      it('is refused everywhere but finishing the login: 401 mfa-required', async () => {
        const account = await registerUser(w.app);
        const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const half = await halfLoggedIn(w.app, account);
        const attempts = [
          half.get('/users/me'),
          half.get(`/users/${account.id}`),
          half.get('/users'),
          half.put(`/users/${account.id}/password`).send({ currentPassword: PASSWORD, newPassword: 'another long password 7' }),
          half.delete(`/users/${account.id}`),
          half.get('/mfa'),
          half.post('/mfa/totp'),
          half.delete('/mfa/totp'),
          half.post('/mfa/recovery-codes'),
          half.post('/reauthenticate').send({ password: PASSWORD }),
          half.get('/webauthn/credentials'),
          half.post('/webauthn/register/options'),
          half.post('/users').send({ username: uniqueName(), password: PASSWORD }),
        ];
        for (const res of await Promise.all(attempts)) expectProblem(res, 401, 'mfa-required');
        // Nothing was changed, and it can still finish.
        await half
          .post('/login/mfa')
          .send({ code: codeAt(secret, w.clock) })
          .expect(200);
        await half.get('/users/me').expect(200);
        expect((await half.get('/mfa').expect(200)).body).to.deep.include({ totp: true, recoveryCodesRemaining: 10 });
      });

      it('ends after 5 minutes: the code no longer finishes it', async () => {
        const account = await registerUser(w.app);
        const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const half = await halfLoggedIn(w.app, account);
        w.clock.advance(4 * 60 + 50);
        const stillOk = await halfLoggedIn(w.app, account);
        w.clock.advance(15); // the first one is now 5 min 5 s old, the second 15 s
        expectProblem(await half.post('/login/mfa').send({ code: codeAt(secret, w.clock) }), 401, 'not-authenticated');
        expectProblem(await half.get('/users/me'), 401, 'not-authenticated');
        await stillOk
          .post('/login/mfa')
          .send({ code: codeAt(secret, w.clock) })
          .expect(200);
      });

      it('finishing a login without one is 401 not-authenticated', async () => {
        expectProblem(await request(w.app.callback()).post('/login/mfa').send({ code: '123456' }), 401, 'not-authenticated');
        const full = await loggedIn(w.app, await registerUser(w.app));
        expectProblem(await full.post('/login/mfa').send({ code: '123456' }), 401, 'not-authenticated');
      });
    });

    describe('the audit trail and notices', () => {
      const entriesOf = async (userId: string, type: string) =>
        (await w.db('audit').where({ subjectId: userId, type }).orderBy('id')).map((row) => ({ ...row, details: JSON.parse(row.details) }));

      it('a used recovery code is audited and, at a verified address, told in a notice mail', async () => {
        const account = await registerUser(w.app);
        const { recoveryCodes } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const email = `${account.username}@example.com`;
        await w.db('users').where({ id: account.id }).update({ email, emailVerified: true });
        await (
          await halfLoggedIn(w.app, account)
        )
          .post('/login/mfa')
          .set('User-Agent', 'recovery test')
          .send({ recoveryCode: recoveryCodes[0] })
          .expect(200);
        const [used, ...more] = await entriesOf(account.id, 'recovery_code.used');
        expect(more).to.deep.equal([]);
        expect(used).to.include({ outcome: 'success', actor: account.id, userAgent: 'recovery test' });
        expect(used!.details).to.deep.equal({ remaining: 9 });
        const notices = await w.db('mail_outbox').where({ userId: account.id, kind: 'recovery-code-used' });
        expect(notices.map((m) => [m.recipient, JSON.parse(m.params).remaining])).to.deep.equal([[email, '9']]);
        // The login it finished is recorded with its method.
        expect((await entriesOf(account.id, 'login')).filter((e) => e.outcome === 'success').map((e) => e.details.method)).to.include(
          'recovery-code',
        );
        // An unverified address may not be the owner's: audited, but no mail.
        await w.db('users').where({ id: account.id }).update({ emailVerified: false });
        await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ recoveryCode: recoveryCodes[1] }).expect(200);
        expect((await entriesOf(account.id, 'recovery_code.used')).map((e) => e.details.remaining)).to.deep.equal([9, 8]);
        expect(await w.db('mail_outbox').where({ userId: account.id, kind: 'recovery-code-used' })).to.have.length(1);
      });

      it('a wrong code or recovery code at POST /login/mfa is a failed sign-in with reason second-factor-failed', async () => {
        const account = await registerUser(w.app);
        const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
        const half = await halfLoggedIn(w.app, account);
        const wrong = wrongCode(codeAt(secret, w.clock));
        expectProblem(await half.post('/login/mfa').set('User-Agent', 'guesser').send({ code: wrong }), 401, 'invalid-code');
        expectProblem(await half.post('/login/mfa').send({ recoveryCode: 'aaaaa-bbbbb' }), 401, 'invalid-code');
        const failures = (await entriesOf(account.id, 'login')).filter((e) => e.outcome === 'failure');
        expect(failures.map((e) => e.details)).to.deep.equal([
          { reason: 'second-factor-failed', username: account.username, method: 'totp' },
          { reason: 'second-factor-failed', username: account.username, method: 'recovery-code' },
        ]);
        expect(failures[0]).to.include({ actor: 'anonymous', userAgent: 'guesser' });
        expect(JSON.stringify(failures)).not.to.include(wrong);
        // Visible to the user in their own activity.
        await half
          .post('/login/mfa')
          .send({ code: codeAt(secret, w.clock) })
          .expect(200);
        const activity = await half.get('/users/me/activity').expect(200);
        expect(JSON.stringify(activity.body)).to.include('second-factor-failed');
      });
    });

    describe('passwordless sign-in and the login throttle', () => {
      const assertionOf = (credentialId: string) => ({
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: {},
        clientExtensionResults: {},
      });

      it('failures count per client: over the limit 429 with Retry-After, for /login too', async () => {
        const strict = w.appWith({ TRUST_PROXY: '1', LOGIN_LIMITS_CLIENT: '3/60' }, w.clock);
        const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
        const call = () => request(strict.app.callback()).post('/webauthn/login').set('X-Forwarded-For', client);
        for (let i = 0; i < 3; i += 1) expectProblem(await call().send({ response: assertionOf(`unknown-${i}`) }), 401, 'invalid-code');
        const refused = await call().send({ response: assertionOf('unknown-3') });
        expectProblem(refused, 429, 'too-many-attempts');
        expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
        const account = await registerUser(strict.app);
        expectProblem(
          await request(strict.app.callback()).post('/login').set('X-Forwarded-For', client).send(credentials(account)),
          429,
          'too-many-attempts',
        );
        // Another client is not affected.
        await request(strict.app.callback()).post('/login').set('X-Forwarded-For', '203.0.113.7').send(credentials(account)).expect(200);
        const blocks = await w.db('audit').where({ type: 'login.blocked', client });
        expect(blocks).to.have.length(1);
      });

      it('failures with a registered passkey count against its account too', async () => {
        const strict = w.appWith({ LOGIN_LIMITS_ACCOUNT: '3/60', LOGIN_LIMITS_CLIENT: '1000/60' }, w.clock);
        const account = await registerUser(strict.app);
        const credentialId = `cred-${account.id}`;
        await storePasskey(w.db, account.id, credentialId, 'f');
        for (let i = 0; i < 3; i += 1) {
          expectProblem(
            await request(strict.app.callback())
              .post('/webauthn/login')
              .send({ response: assertionOf(credentialId) }),
            401,
            'invalid-code',
          );
        }
        expectProblem(
          await request(strict.app.callback())
            .post('/webauthn/login')
            .send({ response: assertionOf(credentialId) }),
          429,
          'too-many-attempts',
        );
        expectProblem(await request(strict.app.callback()).post('/login').send(credentials(account)), 429, 'too-many-attempts');
        // The client itself is far from its limit: another account signs in.
        await request(strict.app.callback())
          .post('/login')
          .send(credentials(await registerUser(strict.app)))
          .expect(200);
      });
    });

    describe('a disabled account', () => {
      const adminOf = async (app: typeof w.app, container: typeof w.container) => {
        const username = uniqueName('admin');
        await container.get(CreateUser).execute({ username, password: PASSWORD, role: 'admin' }, 'system');
        const admin = request.agent(app.callback());
        await admin.post('/login').send({ username, password: PASSWORD }).expect(200);
        return admin;
      };
      /** The account's login entries and user.logged_in events so far. */
      const trailOf = async (userId: string) => ({
        logins: (await w.db('audit').where({ subjectId: userId, type: 'login' }).orderBy('id')).map((e) => [
          e.outcome,
          JSON.parse(e.details).reason,
        ]),
        loggedIn: (await outboxTypes(w.db, userId)).filter((t) => t === 'user.logged_in').length,
      });
      /** What POST /login leaves for a disabled account: one more failed sign-in (reason disabled), no login, no event, no session. */
      const expectRefusedAsAtLogin = async (userId: string, before: Awaited<ReturnType<typeof trailOf>>) => {
        expect(await trailOf(userId)).to.deep.equal({ logins: [...before.logins, ['failure', 'disabled']], loggedIn: before.loggedIn });
        expect(await w.db('sessions').where({ userId })).to.deep.equal([]);
      };

      it('disabled between the password and the code: the half-done session is over (401), and a check under way is refused (403 account-disabled)', async () => {
        let disableDuringCheck: (() => Promise<void>) | undefined = undefined; // set below, once the race is staged
        const racing = w.appWith({}, w.clock, (container) => {
          const verify = container.get(VerifySecondFactor);
          container.rebind(VerifySecondFactor).toConstantValue({
            execute: async (...args: Parameters<VerifySecondFactor['execute']>) => {
              await verify.execute(...args);
              await disableDuringCheck?.(); // the admin's change commits while the code is being checked
            },
          } as VerifySecondFactor);
        });
        const admin = await adminOf(racing.app, racing.container);
        const account = await registerUser(racing.app);
        const { secret } = await enrolTotp(await loggedIn(racing.app, account), w.clock);

        const half = await halfLoggedIn(racing.app, account);
        await admin.put(`/users/${account.id}/status`).send({ status: 'disabled' }).expect(200);
        expectProblem(await half.post('/login/mfa').send({ code: codeAt(secret, w.clock) }), 401, 'not-authenticated');
        await admin.put(`/users/${account.id}/status`).send({ status: 'active' }).expect(200);

        const racer = await halfLoggedIn(racing.app, account);
        const before = await trailOf(account.id);
        disableDuringCheck = async () => void (await admin.put(`/users/${account.id}/status`).send({ status: 'disabled' }).expect(200));
        const refused = await racer
          .post('/login/mfa')
          .set('User-Agent', 'racer')
          .send({ code: codeAt(secret, w.clock) });
        expectProblem(refused, 403, 'account-disabled');
        // No session: the half-done one was ended by the disabling, and none was started.
        expectProblem(await racer.get('/users/me'), 401, 'not-authenticated');
        await expectRefusedAsAtLogin(account.id, before);
      });

      it('signing in with its passkey alone is refused as at POST /login: 403 account-disabled, no session', async () => {
        const passkeys = new FakePasskeys();
        const other = w.appWith({}, w.clock, (container) => container.rebind<Passkeys>(Passkeys).toConstantValue(passkeys));
        const admin = await adminOf(other.app, other.container);
        const account = await registerUser(other.app);
        const credentialId = `cred-${account.id}`;
        await storePasskey(w.db, account.id, credentialId, 'e');
        await admin.put(`/users/${account.id}/status`).send({ status: 'disabled' }).expect(200);
        const before = await trailOf(account.id);
        const signIn = () =>
          request(other.app.callback())
            .post('/webauthn/login')
            .send({ response: { id: credentialId } });
        const refused = await signIn();
        expectProblem(refused, 403, 'account-disabled');
        expect(setCookies(refused).filter((c) => c.startsWith(`${COOKIE}=`))).to.deep.equal([]);
        await expectRefusedAsAtLogin(account.id, before);
        // Enabled again, the same passkey signs in.
        await admin.put(`/users/${account.id}/status`).send({ status: 'active' }).expect(200);
        passkeys.outcome = { ok: true, newCounter: 2, userVerified: true };
        expect((await signIn().expect(200)).body).to.include({ id: account.id });
      });
    });

    describe('MFA_REQUIRED_FOR_ADMINS', () => {
      it('lets an admin without a second factor do nothing but enrol one; then everything', async () => {
        const clock = new MovableClock(w.clock.ms);
        const policy = w.appWith({ MFA_REQUIRED_FOR_ADMINS: 'true' }, clock);
        const username = uniqueName('admin');
        await policy.container.get(CreateUser).execute({ username, password: PASSWORD, role: 'admin' }, 'system');
        const admin = request.agent(policy.app.callback());
        await admin.post('/login').send({ username, password: PASSWORD }).expect(200);
        expectProblem(await admin.get('/users'), 403, 'mfa-enrolment-required');
        expectProblem(await admin.get('/users/me'), 403, 'mfa-enrolment-required');
        expectProblem(await admin.post('/users').send({ username: uniqueName(), password: PASSWORD }), 403, 'mfa-enrolment-required');
        await enrolTotp(admin, clock);
        await admin.get('/users').expect(200);
        // A plain user is not concerned.
        const user = await registerUser(policy.app);
        await (await loggedIn(policy.app, user)).get('/users/me').expect(200);
      });
    });
  });
}
