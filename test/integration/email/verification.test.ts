import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { expectProblem, outboxTypes, PASSWORD, uniqueName } from '../http/helpers.js';
import { linkIn } from '../../support/test-smtp.js';
import { forgetAttempts } from '../security/helpers.js';
import {
  anEmail,
  DATABASES,
  EMAIL_CHANGED,
  emailWorld,
  followVerification,
  nthMail,
  PRODUCT,
  PUBLIC_URL,
  registerWithEmail,
  VERIFY,
  verifiedPerson,
} from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const [database, open] of DATABASES) {
  describe(`email addresses and their verification (${database})`, function () {
    const world = emailWorld(open);
    const c = () => request(world.app.callback());
    const logIn = async (username: string, password = PASSWORD) => {
      const agent = request.agent(world.app.callback());
      const res = await agent.post('/login').send({ username, password });
      return { agent, res };
    };

    it('registers with an address, stored trimmed and lower case, and sends a link that verifies it through the API', async () => {
      const email = anEmail();
      const username = uniqueName();
      const created = await c()
        .post('/users')
        .send({ username, password: PASSWORD, email: `  ${email.toUpperCase()} ` })
        .expect(201);
      expect(created.body).to.include({ email, emailVerified: false });

      const mail = await nthMail(world, email, VERIFY);
      expect(mail.subject).to.equal(`Confirm your email address for ${PRODUCT}`);
      expect(mail.from?.text).to.include('no-reply@id.example.test');
      expect(mail.messageId).to.match(/^<[0-9a-f-]{36}@id\.example\.test>$/);
      const link = linkIn(mail);
      expect(link.url.startsWith(`${PUBLIC_URL}/ui/verify-email#token=`)).to.equal(true);
      expect(link.token).to.match(/^[A-Za-z0-9_-]{43,}$/); // 256 bits at least
      expect(mail.text).to.include(PRODUCT);
      expect(mail.html).to.be.a('string').that.includes(link.url).and.includes(PRODUCT);
      // Only a hash is stored, bound to the user and the address, for 24 hours.
      const [stored] = await world.db('email_tokens').where({ userId: created.body.id });
      expect(stored).to.include({ hash: sha256(link.token), purpose: 'verify-email', email });
      expect(Number(stored.expiresAt) - Date.now()).to.be.within(24 * 3_600_000 - 60_000, 24 * 3_600_000);

      expect((await followVerification(world, mail)).status).to.equal(204);
      const { agent } = await logIn(username);
      expect((await agent.get('/users/me').expect(200)).body).to.include({ email, emailVerified: true });
      expect(await outboxTypes(world.db, created.body.id)).to.deep.equal(['user.created', 'user.email_verified', 'user.logged_in']);
      const events = await world.db('outbox').where({ aggregateid: created.body.id }).orderBy('seq');
      expect(JSON.parse(events[0].payload)).to.include({ email });
      expect(JSON.parse(events[1].payload)).to.deep.equal({ userId: created.body.id, email });
    });

    it('refuses a used, an unknown and an expired token with 400 invalid-token', async () => {
      const person = await registerWithEmail(world.app);
      const mail = await nthMail(world, person.email, VERIFY);
      expect((await followVerification(world, mail)).status).to.equal(204);
      expectProblem(await followVerification(world, mail), 400, 'invalid-token');
      expectProblem(
        await c()
          .post('/email/verify')
          .send({ token: 'A'.repeat(43) }),
        400,
        'invalid-token',
      );

      const other = await registerWithEmail(world.app);
      const otherMail = await nthMail(world, other.email, VERIFY);
      await world
        .db('email_tokens')
        .where({ userId: other.id })
        .update({ expiresAt: Date.now() - 1 });
      expectProblem(await followVerification(world, otherMail), 400, 'invalid-token');
      expect((await c().post('/login').send({ username: other.email, password: PASSWORD })).status).to.equal(401);
    });

    it('voids a link when a newer one is sent (resend)', async () => {
      const person = await registerWithEmail(world.app);
      const first = await nthMail(world, person.email, VERIFY);
      const { agent } = await logIn(person.username);
      await agent.post('/email/verify/resend').expect(202);
      const second = await nthMail(world, person.email, VERIFY, 2);
      expect(linkIn(second).token).not.to.equal(linkIn(first).token);
      expectProblem(await followVerification(world, first), 400, 'invalid-token');
      expect((await followVerification(world, second)).status).to.equal(204);
    });

    it('binds a link to the address it was sent to: a change of address voids it', async () => {
      const person = await registerWithEmail(world.app);
      const toOld = await nthMail(world, person.email, VERIFY);
      const { agent } = await logIn(person.username);
      const newEmail = anEmail();
      const changed = await agent.put(`/users/${person.id}/email`).send({ email: newEmail, currentPassword: PASSWORD }).expect(200);
      expect(changed.body).to.include({ email: newEmail, emailVerified: false });
      expectProblem(await followVerification(world, toOld), 400, 'invalid-token');
      expect((await followVerification(world, await nthMail(world, newEmail, VERIFY))).status).to.equal(204);
      expect((await agent.get('/users/me')).body).to.include({ email: newEmail, emailVerified: true });
    });

    it('tells a verified old address of a change; the new one logs in only once verified, the old one no more', async () => {
      const person = await verifiedPerson(world);
      expect((await logIn(person.email)).res.status).to.equal(200);
      const { agent } = await logIn(person.username);
      const newEmail = anEmail();
      await agent.put(`/users/${person.id}/email`).send({ email: newEmail, currentPassword: PASSWORD }).expect(200);

      const notice = await nthMail(world, person.email, EMAIL_CHANGED);
      expect(notice.text).to.include(person.username).and.include(PRODUCT).and.not.include(newEmail);
      expect(notice.html).to.be.a('string').that.includes(PRODUCT);
      expect(notice.text).not.to.match(/#token=/);
      expect((await logIn(person.email)).res.status).to.equal(401);
      expect((await logIn(newEmail)).res.status).to.equal(401); // not verified yet
      await followVerification(world, await nthMail(world, newEmail, VERIFY));
      expect((await logIn(newEmail.toUpperCase())).res.status).to.equal(200);
      const change = await world.db('outbox').where({ aggregateid: person.id, type: 'user.email_changed' }).first();
      expect(JSON.parse(change.payload)).to.deep.equal({
        userId: person.id,
        email: newEmail,
        previousEmail: person.email,
        changedBy: person.id,
      });
    });

    it("needs the current password for one's own change; refuses others' addresses; lets an admin change anyone's", async () => {
      await forgetAttempts(world.db);
      const person = await registerWithEmail(world.app);
      const other = await registerWithEmail(world.app);
      const { agent } = await logIn(person.username);
      const path = `/users/${person.id}/email`;
      const missing = expectProblem(await agent.put(path).send({ email: anEmail() }), 400, 'validation-failed');
      expect(missing.errors).to.deep.include({ field: 'currentPassword', reason: 'is required' });
      expectProblem(
        await agent.put(path).send({ email: anEmail(), currentPassword: 'not the password' }),
        403,
        'incorrect-current-password',
      );
      expectProblem(await agent.put(`/users/${other.id}/email`).send({ email: anEmail(), currentPassword: PASSWORD }), 403, 'forbidden');
      expectProblem(await c().put(path).send({ email: anEmail() }), 401, 'not-authenticated');

      const adminName = uniqueName('admin');
      await world.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
      const admin = (await logIn(adminName)).agent;
      const byAdmin = anEmail();
      const res = await admin.put(`/users/${other.id}/email`).send({ email: byAdmin }).expect(200);
      expect(res.body).to.include({ id: other.id, email: byAdmin, emailVerified: false });
      await nthMail(world, byAdmin, VERIFY);
    });

    it('refuses an address another account has, whatever its case (409), and a malformed one (400)', async () => {
      const person = await registerWithEmail(world.app);
      const taken = expectProblem(
        await c().post('/users').send({ username: uniqueName(), password: PASSWORD, email: person.email.toUpperCase() }),
        409,
        'email-taken',
      );
      expect(taken.errors).to.deep.equal([{ field: 'email', reason: 'This email address belongs to another account' }]);
      const other = await registerWithEmail(world.app);
      const { agent } = await logIn(other.username);
      expectProblem(
        await agent.put(`/users/${other.id}/email`).send({ email: ` ${person.email.toUpperCase()}`, currentPassword: PASSWORD }),
        409,
        'email-taken',
      );
      for (const bad of [
        'no-at-sign',
        'two@@example.com',
        'a@localhost',
        'a b@example.com',
        '@example.com',
        `${'x'.repeat(65)}@example.com`,
        'a@-bad.com',
      ]) {
        const res = await c().post('/users').send({ username: uniqueName(), password: PASSWORD, email: bad });
        const body = expectProblem(res, 400, 'validation-failed');
        expect(body.errors, bad).to.deep.equal([{ field: 'email', reason: 'must be an email address like name@example.com' }]);
        expectProblem(
          await agent.put(`/users/${other.id}/email`).send({ email: bad, currentPassword: PASSWORD }),
          400,
          'validation-failed',
        );
      }
      expectProblem(await c().post('/users').send({ username: uniqueName(), password: PASSWORD, email: 42 }), 400, 'validation-failed');
    });

    it('resend: 202 with a new link, nothing for a verified address, 400 without an address, 401 anonymous', async () => {
      const noAddress = uniqueName();
      await c().post('/users').send({ username: noAddress, password: PASSWORD }).expect(201);
      const bare = (await logIn(noAddress)).agent;
      expect((await bare.get('/users/me')).body).to.include({ email: null, emailVerified: false });
      expectProblem(await bare.post('/email/verify/resend'), 400, 'validation-failed');
      expectProblem(await c().post('/email/verify/resend'), 401, 'not-authenticated');

      const person = await verifiedPerson(world);
      const { agent } = await logIn(person.username);
      await agent.post('/email/verify/resend').expect(202);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(world.smtp.to(person.email).filter((m) => VERIFY.test(m.subject ?? ''))).to.have.length(1);
    });

    it('throttles resends per account, and token guesses per client address', async () => {
      await forgetAttempts(world.db);
      const strict = world.rewire({ EMAIL_RESEND_LIMITS: '2/600', TOKEN_LIMITS_CLIENT: '3/600' });
      const person = await registerWithEmail(strict.app);
      const agent = request.agent(strict.app.callback());
      await agent.post('/login').send({ username: person.username, password: PASSWORD }).expect(200);
      await agent.post('/email/verify/resend').expect(202);
      await agent.post('/email/verify/resend').expect(202);
      const refused = expectProblem(await agent.post('/email/verify/resend'), 429, 'too-many-attempts');
      expect(refused).to.be.an('object');

      const guess = () =>
        request(strict.app.callback())
          .post('/email/verify')
          .send({ token: 'B'.repeat(43) });
      for (let i = 0; i < 3; i += 1) expectProblem(await guess(), 400, 'invalid-token');
      expectProblem(await guess(), 429, 'too-many-attempts');
      // A real link is refused too from that address until the window passes: guessing costs the guesser.
      const latest = await nthMail(world, person.email, VERIFY, 3);
      expectProblem(
        await request(strict.app.callback())
          .post('/email/verify')
          .send({ token: linkIn(latest).token }),
        429,
        'too-many-attempts',
      );
      await forgetAttempts(world.db);
    });
  });
}
