import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { FORGOT_ANSWER } from '../../../src/adapters/http/email/schemas.js';
import { expectProblem, PASSWORD, setCookieLine, uniqueName } from '../http/helpers.js';
import { linkIn } from '../../support/test-smtp.js';
import { forgetAttempts } from '../security/helpers.js';
import {
  anEmail,
  DATABASES,
  emailWorld,
  nthMail,
  PASSWORD_CHANGED,
  PRODUCT,
  PUBLIC_URL,
  queueDrained,
  registerWithEmail,
  RESET,
  verifiedPerson,
  type EmailWorld,
  type Person,
} from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase 77';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const [database, open] of DATABASES) {
  describe(`password reset by email (${database})`, function () {
    const world = emailWorld(open);
    const c = () => request(world.app.callback());
    const forgot = (username: string, app = world.app) => request(app.callback()).post('/password/forgot').send({ username });
    const reset = (token: string, newPassword = NEW_PASSWORD, app = world.app) =>
      request(app.callback()).post('/password/reset').send({ token, newPassword });
    const logIn = (username: string, password = PASSWORD) => c().post('/login').send({ username, password });
    /** Asks for a reset and returns the token of the n-th reset message to the person. */
    const resetToken = async (w: EmailWorld, person: Person, n = 1, name = person.username): Promise<string> => {
      expect((await forgot(name)).status).to.equal(202);
      return linkIn(await nthMail(w, person.email, RESET, n)).token;
    };

    beforeEach(() => forgetAttempts(world.db));

    it('sends a link whose token sets a new password, ends every session, does not log in, and tells the owner', async () => {
      const person = await verifiedPerson(world);
      const laptop = request.agent(world.app.callback());
      const phone = request.agent(world.app.callback());
      await laptop.post('/login').send({ username: person.username, password: PASSWORD }).expect(200);
      await phone.post('/login').send({ username: person.email, password: PASSWORD }).expect(200);

      const asked = await forgot(person.username);
      expect(asked.status).to.equal(202);
      expect(asked.body).to.deep.equal(FORGOT_ANSWER);
      const mail = await nthMail(world, person.email, RESET);
      expect(mail.subject).to.equal(`Reset your ${PRODUCT} password`);
      const link = linkIn(mail);
      expect(link.url.startsWith(`${PUBLIC_URL}/ui/reset-password#token=`)).to.equal(true);
      expect(link.token).to.match(/^[A-Za-z0-9_-]{43,}$/);
      expect(mail.html).to.be.a('string').that.includes(link.url);
      const [stored] = await world.db('email_tokens').where({ userId: person.id, purpose: 'password-reset' });
      expect(stored.hash).to.equal(sha256(link.token));
      expect(Number(stored.expiresAt) - Date.now()).to.be.within(30 * 60_000 - 60_000, 30 * 60_000);

      const done = await reset(link.token);
      expect(done.status, JSON.stringify(done.body)).to.equal(204);
      expect(setCookieLine(done), 'a reset logs nobody in').to.equal(undefined);
      await laptop.get('/users/me').expect(401);
      await phone.get('/users/me').expect(401);
      expect(await world.db('sessions').where({ userId: person.id })).to.deep.equal([]);
      expect((await logIn(person.username)).status).to.equal(401);
      expect((await logIn(person.email, NEW_PASSWORD)).status).to.equal(200);

      const events = await world
        .db('outbox')
        .where({ aggregateid: person.id })
        .whereIn('type', ['user.password_changed', 'user.sessions_ended'])
        .orderBy('seq');
      const [changed, ended] = events.map((e) => [e.type, JSON.parse(e.payload)]);
      expect(events).to.have.length(2);
      expect(changed).to.deep.equal(['user.password_changed', { userId: person.id, changedBy: person.id, reason: 'reset' }]);
      expect(ended![0]).to.equal('user.sessions_ended');
      expect(ended![1]).to.deep.include({ userId: person.id, reason: 'password-reset', endedBy: person.id });
      expect(ended![1].sessionIds).to.have.length(2);
      const notice = await nthMail(world, person.email, PASSWORD_CHANGED);
      expect(notice.text)
        .to.include('reset')
        .and.include(PRODUCT)
        .and.not.match(/#token=/);
      expect(notice.html).to.be.a('string').that.includes(PRODUCT);
    });

    it('accepts a verified address, in any case, in place of the username', async () => {
      const person = await verifiedPerson(world);
      const token = await resetToken(world, person, 1, `  ${person.email.toUpperCase()} `);
      expect((await reset(token)).status).to.equal(204);
    });

    it('answers the same, in about the same time, for unknown accounts and accounts without a verified address; only a verified one gets mail', async function () {
      this.timeout(90_000);
      // A floor well above what the work takes even on a loaded machine: what is measured is the floor's effect.
      const FLOOR_MS = 750;
      const paced = world.rewire({ PASSWORD_FORGOT_MIN_MS: String(FLOOR_MS) });
      const verified = await verifiedPerson(world);
      const unverified = await registerWithEmail(world.app);
      const bare = uniqueName();
      await c().post('/users').send({ username: bare, password: PASSWORD }).expect(201);
      const names = {
        verified: verified.username,
        verifiedEmail: verified.email,
        unverified: unverified.username,
        unverifiedEmail: unverified.email,
        noAddress: bare,
        unknown: uniqueName('nobody'),
        unknownEmail: anEmail(),
        malformed: '!!',
      };
      const times: Record<string, number[]> = {};
      for (let round = 0; round < 5; round += 1) {
        for (const [label, name] of Object.entries(names)) {
          const started = performance.now();
          const res = await forgot(name, paced.app);
          if (round > 0) (times[label] ??= []).push(performance.now() - started); // round 0 warms up
          expect(res.status, label).to.equal(202);
          expect(res.body, label).to.deep.equal(FORGOT_ANSWER);
          expect(res.headers['content-type'], label).to.match(/^application\/json/);
        }
      }
      // Medians of pooled samples: the accounts that get a message against all the others. A busy machine stalls
      // single requests at random; a systematic difference would show in the pools.
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const all = Object.values(times).flat();
      const sending = [...times.verified!, ...times.verifiedEmail!];
      const silent = Object.entries(times)
        .filter(([label]) => !label.startsWith('verified'))
        .flatMap(([, xs]) => xs);
      expect(Math.min(...all), JSON.stringify(times)).to.be.at.least(FLOOR_MS - 5); // nobody is answered before the floor
      expect(Math.abs(median(sending) - median(silent)), JSON.stringify(times)).to.be.below(80);

      await queueDrained(world.db);
      expect(world.smtp.to(verified.email).filter((m) => RESET.test(m.subject ?? ''))).to.have.length(10);
      expect(world.smtp.to(unverified.email).filter((m) => RESET.test(m.subject ?? ''))).to.deep.equal([]);
      expect((await logIn(unverified.email)).status, 'an unverified address never logs in').to.equal(401);
    });

    it('refuses a used, unknown, expired or superseded token with 400 invalid-token', async () => {
      const person = await verifiedPerson(world);
      const first = await resetToken(world, person);
      const second = await resetToken(world, person, 2);
      expectProblem(await reset(first), 400, 'invalid-token');
      expect((await reset(second)).status).to.equal(204);
      expectProblem(await reset(second, 'yet another passphrase 1'), 400, 'invalid-token');
      expectProblem(await reset('C'.repeat(43)), 400, 'invalid-token');
      const third = await resetToken(world, person, 3);
      await world
        .db('email_tokens')
        .where({ userId: person.id, purpose: 'password-reset' })
        .update({ expiresAt: Date.now() - 1 });
      expectProblem(await reset(third), 400, 'invalid-token');
      expect((await logIn(person.username, NEW_PASSWORD)).status).to.equal(200);
    });

    it('voids reset tokens on a change of address and on a password change by any path, which is announced too', async () => {
      const person = await verifiedPerson(world);
      const agent = request.agent(world.app.callback());
      await agent.post('/login').send({ username: person.username, password: PASSWORD }).expect(200);
      const beforeChange = await resetToken(world, person);
      await agent.put(`/users/${person.id}/password`).send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }).expect(204);
      expectProblem(await reset(beforeChange, 'whatever passphrase 9'), 400, 'invalid-token');
      const notice = await nthMail(world, person.email, PASSWORD_CHANGED);
      expect(notice.text).to.include('was changed').and.not.include('reset with a link');

      const beforeMove = await resetToken(world, person, 2);
      await agent.put(`/users/${person.id}/email`).send({ email: anEmail(), currentPassword: NEW_PASSWORD }).expect(200);
      expectProblem(await reset(beforeMove, 'whatever passphrase 9'), 400, 'invalid-token');
    });

    it('applies the password policy without using the token up', async () => {
      const person = await verifiedPerson(world);
      const token = await resetToken(world, person);
      const weak = expectProblem(await reset(token, 'short'), 400, 'validation-failed');
      expect(weak.errors).to.deep.equal([{ field: 'newPassword', reason: 'must be at least 8 characters long' }]);
      expectProblem(await reset(token, `my ${person.username} pass`), 400, 'validation-failed');
      expect((await reset(token)).status).to.equal(204);
    });

    it("clears the account's login throttle", async () => {
      const strict = world.rewire({ LOGIN_LIMITS_ACCOUNT: '3/600' });
      const person = await verifiedPerson(world);
      const attempt = (password: string) => request(strict.app.callback()).post('/login').send({ username: person.username, password });
      for (let i = 0; i < 3; i += 1) expect((await attempt('wrong password!')).status).to.equal(401);
      expect((await attempt(PASSWORD)).status).to.equal(429);
      // Through the instance that holds the block: a full window is refused from that process's memory, and the
      // reset clears the memory of the process that serves it (another instance's block ends with its window).
      expect((await reset(await resetToken(world, person), NEW_PASSWORD, strict.app)).status).to.equal(204);
      expect((await attempt(NEW_PASSWORD)).status).to.equal(200);
    });

    it('sets the password of a disabled account, which still cannot log in', async () => {
      const person = await verifiedPerson(world);
      await world.db('users').where({ id: person.id }).update({ status: 'disabled' });
      expect((await reset(await resetToken(world, person))).status).to.equal(204);
      expectProblem(await logIn(person.username, NEW_PASSWORD), 403, 'account-disabled');
      expectProblem(await logIn(person.email, NEW_PASSWORD), 403, 'account-disabled');
    });

    it('throttles requests per client (429) and per account (silently: the same 202, no more mail)', async () => {
      const perAccount = world.rewire({ FORGOT_LIMITS_ACCOUNT: '2/600' });
      const person = await verifiedPerson(world);
      for (let i = 0; i < 4; i += 1) expect((await forgot(person.username, perAccount.app)).body).to.deep.equal(FORGOT_ANSWER);
      await queueDrained(world.db);
      expect(world.smtp.to(person.email).filter((m) => RESET.test(m.subject ?? ''))).to.have.length(2);

      await forgetAttempts(world.db);
      const perClient = world.rewire({ FORGOT_LIMITS_CLIENT: '3/600' });
      for (let i = 0; i < 3; i += 1) expect((await forgot(uniqueName(), perClient.app)).status).to.equal(202);
      const refused = await forgot(uniqueName(), perClient.app);
      expectProblem(refused, 429, 'too-many-attempts');
      expect(refused.headers['retry-after']).to.match(/^\d+$/);
    });

    it('counts bad tokens per client address', async () => {
      const strict = world.rewire({ TOKEN_LIMITS_CLIENT: '3/600' });
      const person = await verifiedPerson(world);
      const token = await resetToken(world, person);
      const attempt = (t: string, app = strict.app) =>
        request(app.callback()).post('/password/reset').send({ token: t, newPassword: NEW_PASSWORD });
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(`${'D'.repeat(42)}${i}`), 400, 'invalid-token');
      expectProblem(await attempt(token), 429, 'too-many-attempts');
      // Once the window has ended (its counters gone), the token works. A full window is also refused from the
      // memory of the instance that filled it until it ends, so the next attempt goes to a fresh instance.
      await forgetAttempts(world.db);
      expect((await attempt(token, world.rewire({ TOKEN_LIMITS_CLIENT: '3/600' }).app)).status).to.equal(204);
    });

    it('refuses malformed bodies with a 400 naming the field', async () => {
      expectProblem(await c().post('/password/forgot').send({}), 400, 'validation-failed');
      expectProblem(await c().post('/password/forgot').send({ username: 'x', extra: 1 }), 400, 'validation-failed');
      expectProblem(
        await c()
          .post('/password/reset')
          .send({ token: 'x'.repeat(300), newPassword: NEW_PASSWORD }),
        400,
        'validation-failed',
      );
      expectProblem(await c().post('/password/reset').send({ token: 5, newPassword: NEW_PASSWORD }), 400, 'validation-failed');
      expectProblem(await c().post('/password/reset').set('Content-Type', 'text/plain').send('token=x'), 415, 'unsupported-media-type');
    });
  });
}
