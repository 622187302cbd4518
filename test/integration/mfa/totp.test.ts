import { expect } from 'chai';
import request from 'supertest';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';
import { COOKIE, cookieValue, credentials, expectProblem, outboxTypes } from '../http/helpers.js';
import { codeAt, codeForStep, enrolTotp, halfLoggedIn, loggedIn, mfaWorld, registerUser, stepAt } from './helpers.js';

const databases: [string, OpenDb][] = [
  ['MySQL', onMySql],
  ['the embedded SQLite', onSqlite],
];

for (const [name, open] of databases) {
  describe(`One-time codes (TOTP) on ${name}`, function () {
    const w = mfaWorld(open);

    it('enrols with a 160-bit base32 secret, SHA-1, 6 digits, 30 s, and a QR code; nothing is active until confirmed', async () => {
      const account = await registerUser(w.app);
      const agent = await loggedIn(w.app, account);
      const { body } = await agent.post('/mfa/totp').expect(200);
      expect(body.secret).to.match(/^[A-Z2-7]{32,}$/); // 32 base32 characters = 160 bits
      const uri = new URL(body.otpauthUri);
      expect(uri.protocol).to.equal('otpauth:');
      expect(uri.host).to.equal('totp');
      expect(uri.searchParams.get('secret')).to.equal(body.secret);
      expect(uri.searchParams.get('algorithm')).to.equal('SHA1');
      expect(uri.searchParams.get('digits')).to.equal('6');
      expect(uri.searchParams.get('period')).to.equal('30');
      expect(decodeURIComponent(uri.pathname)).to.include(account.username);
      expect(body.qrSvg).to.match(/<svg[\s\S]*<\/svg>\s*$/);
      expect((await agent.get('/mfa').expect(200)).body).to.deep.equal({ totp: false, passkeys: 0, recoveryCodesRemaining: 0 });
      // Not confirmed: the password alone still logs in.
      await loggedIn(w.app, account);
      const row = await w.db('mfa_totp').first().where({ userId: account.id });
      expect(row.secretSealed).to.not.include(body.secret); // sealed, not stored as given
    });

    it('confirms only with a right code (400 invalid-code otherwise), then returns ten recovery codes and emits user.mfa_enabled', async () => {
      const account = await registerUser(w.app);
      const agent = await loggedIn(w.app, account);
      const { body } = await agent.post('/mfa/totp').expect(200);
      const wrong = String((Number(codeAt(body.secret, w.clock)) + 1) % 1_000_000).padStart(6, '0');
      expectProblem(await agent.post('/mfa/totp/confirm').send({ code: wrong }), 400, 'invalid-code');
      const res = await agent
        .post('/mfa/totp/confirm')
        .send({ code: codeAt(body.secret, w.clock) })
        .expect(200);
      expect(res.body.recoveryCodes).to.have.length(10);
      for (const code of res.body.recoveryCodes) expect(code).to.match(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
      expect(new Set(res.body.recoveryCodes).size).to.equal(10);
      expect(await outboxTypes(w.db, account.id)).to.include('user.mfa_enabled');
      expect((await agent.get('/mfa').expect(200)).body).to.deep.equal({ totp: true, passkeys: 0, recoveryCodesRemaining: 10 });
      expectProblem(await agent.post('/mfa/totp'), 409, 'mfa-conflict'); // already on
      // The confirming code cannot also be used to log in.
      const half = await halfLoggedIn(w.app, account);
      expectProblem(await half.post('/login/mfa').send({ code: codeAt(body.secret, w.clock) }), 401, 'invalid-code');
    });

    it('logs in with password then code: {mfaRequired, methods}, then the full answer under a new session id', async () => {
      const account = await registerUser(w.app);
      const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
      const before = (await outboxTypes(w.db, account.id)).filter((t) => t === 'user.logged_in').length;

      const agent = request.agent(w.app.callback());
      const first = await agent.post('/login').send(credentials(account)).expect(200);
      expect(first.body).to.deep.equal({ mfaRequired: true, methods: ['totp', 'recovery-code'] });
      const halfId = cookieValue(first);
      expect(halfId).to.be.a('string');
      // Not a login yet: no event, and the session can do nothing else.
      expect((await outboxTypes(w.db, account.id)).filter((t) => t === 'user.logged_in').length).to.equal(before);
      expectProblem(await agent.get('/users/me'), 401, 'mfa-required');

      const done = await agent
        .post('/login/mfa')
        .send({ code: codeAt(secret, w.clock) })
        .expect(200);
      expect(done.body).to.deep.equal({ id: account.id, username: account.username, role: 'user' });
      expect(cookieValue(done)).to.be.a('string').and.not.equal(halfId);
      expect((await agent.get('/users/me').expect(200)).body.id).to.equal(account.id);
      expect((await outboxTypes(w.db, account.id)).filter((t) => t === 'user.logged_in').length).to.equal(before + 1);
      // The half-done session's id is gone.
      const stale = await request(w.app.callback()).get('/users/me').set('Cookie', `${COOKIE}=${halfId}`);
      expect(stale.status).to.equal(401);
    });

    it('accepts a code once: the same code again is 401 invalid-code', async () => {
      const account = await registerUser(w.app);
      const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
      const code = codeAt(secret, w.clock);
      await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ code }).expect(200);
      expectProblem(await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ code }), 401, 'invalid-code');
    });

    it('accepts a code once even when two requests send it at the same instant: exactly one succeeds', async () => {
      const account = await registerUser(w.app);
      const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
      // Four, then two at once: four refusals in all, within the 5-in-5-minutes throttle of wrong codes.
      for (const parallel of [4, 2]) {
        const agents = await Promise.all(Array.from({ length: parallel }, () => halfLoggedIn(w.app, account)));
        const code = codeAt(secret, w.clock);
        const results = await Promise.all(agents.map((a) => a.post('/login/mfa').send({ code })));
        expect(results.map((r) => r.status).sort(), `${parallel} at once`).to.deep.equal([200, ...Array(parallel - 1).fill(401)]);
        for (const r of results.filter((x) => x.status === 401)) expectProblem(r, 401, 'invalid-code');
        w.clock.advance(30);
      }
    });

    it('accepts one step of drift either way and refuses two', async () => {
      const account = await registerUser(w.app);
      const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
      // Steps are used in increasing order (a used step also closes the earlier ones).
      const tryCode = async (step: number) =>
        (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ code: codeForStep(secret, step) });
      w.clock.advance(30 * 3);
      expectProblem(await tryCode(stepAt(w.clock) - 2), 401, 'invalid-code');
      expect((await tryCode(stepAt(w.clock) - 1)).status).to.equal(200);
      w.clock.advance(30 * 3);
      expectProblem(await tryCode(stepAt(w.clock) + 2), 401, 'invalid-code');
      expect((await tryCode(stepAt(w.clock) + 1)).status).to.equal(200);
      w.clock.advance(30 * 3);
      expect((await tryCode(stepAt(w.clock))).status).to.equal(200);
    });

    it('refuses a code of a step before the last used one, even within the drift', async () => {
      const account = await registerUser(w.app);
      const { secret } = await enrolTotp(await loggedIn(w.app, account), w.clock);
      w.clock.advance(30 * 3);
      const now = stepAt(w.clock);
      await (
        await halfLoggedIn(w.app, account)
      )
        .post('/login/mfa')
        .send({ code: codeForStep(secret, now + 1) })
        .expect(200);
      expectProblem(
        await (await halfLoggedIn(w.app, account)).post('/login/mfa').send({ code: codeForStep(secret, now) }),
        401,
        'invalid-code',
      );
    });

    it('switches off with DELETE /mfa/totp: user.mfa_disabled, and the password alone logs in again', async () => {
      const account = await registerUser(w.app);
      const agent = await loggedIn(w.app, account);
      await enrolTotp(agent, w.clock);
      await agent.delete('/mfa/totp').expect(204);
      expect(await outboxTypes(w.db, account.id)).to.include('user.mfa_disabled');
      expect((await agent.get('/mfa').expect(200)).body).to.deep.equal({ totp: false, passkeys: 0, recoveryCodesRemaining: 0 });
      await loggedIn(w.app, account);
      expectProblem(await agent.delete('/mfa/totp'), 409, 'mfa-conflict');
    });

    it('answers malformed second-factor bodies with 400, never 500', async () => {
      const account = await registerUser(w.app);
      await enrolTotp(await loggedIn(w.app, account), w.clock);
      const half = await halfLoggedIn(w.app, account);
      for (const body of [
        {},
        { code: 123456 },
        { code: '1', recoveryCode: 'x' },
        { code: 'x'.repeat(100) },
        { webauthn: 'no' },
        { other: 1 },
      ]) {
        expectProblem(await half.post('/login/mfa').send(body), 400, 'validation-failed');
      }
      for (const code of ['', 'abcdef', '12345', '1234567', ' 123456']) {
        expectProblem(await half.post('/login/mfa').send({ code }), 401, 'invalid-code');
      }
    });
  });
}
