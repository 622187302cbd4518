import { expect } from 'chai';
import request from 'supertest';
import { createAdmin, expectInvalidField, expectProblem, httpSuite, logIn, PASSWORD, register, uniqueName } from './helpers.js';

describe('request fields: bad input never gets a 500', function () {
  const suite = httpSuite();
  const client = () => request(suite.app.callback());

  describe('POST /users fields', () => {
    const post = (body: unknown) =>
      client()
        .post('/users')
        .send(body as object);

    it('names a field of the wrong type', async () => {
      expectInvalidField(await post({ username: 123, password: PASSWORD }), 'username');
      expectInvalidField(await post({ username: uniqueName(), password: true }), 'password');
      expectInvalidField(await post({ username: uniqueName(), password: PASSWORD, role: 7 }), 'role');
      expectInvalidField(await post({ username: uniqueName(), password: PASSWORD, role: 'root' }), 'role');
    });

    it('names each missing field', async () => {
      const res = await post({});
      expectInvalidField(res, 'username');
      expectInvalidField(res, 'password');
      expectInvalidField(await client().post('/users').set('Content-Type', 'application/json'), 'username');
    });

    it('names an unknown extra field, and creates nothing', async () => {
      const username = uniqueName();
      expectInvalidField(await post({ username, password: PASSWORD, isAdmin: true }), 'isAdmin');
      expect(await suite.db('users').where({ username })).to.be.empty;
    });

    it('refuses a malformed username with 400 naming username', async () => {
      for (const username of ['ab', 'has space', 'x'.repeat(65), 'émile']) {
        expectInvalidField(await post({ username, password: PASSWORD }), 'username');
      }
    });

    it('refuses a password over 72 UTF-8 bytes with 400, in ASCII or not', async () => {
      for (const password of ['p'.repeat(73), 'é'.repeat(37), '🔑'.repeat(19)]) {
        const username = uniqueName();
        expectInvalidField(await post({ username, password }), 'password');
        expect(await suite.db('users').where({ username })).to.be.empty;
      }
    });

    it('refuses a password with a NUL character with 400', async () => {
      const username = uniqueName();
      expectInvalidField(await post({ username, password: 'password\u0000anything' }), 'password');
      expect(await suite.db('users').where({ username })).to.be.empty;
    });

    it('refuses a password under 8 characters with 400', async () => {
      expectInvalidField(await post({ username: uniqueName(), password: 'short' }), 'password');
    });
  });

  describe('POST /login fields', () => {
    it('names wrong types, missing and unknown fields', async () => {
      expectInvalidField(
        await client()
          .post('/login')
          .send({ username: ['ada'], password: PASSWORD }),
        'username',
      );
      expectInvalidField(await client().post('/login').send({ username: 'ada' }), 'password');
      expectInvalidField(await client().post('/login').send({ username: 'ada', password: PASSWORD, remember: true }), 'remember');
    });
  });

  describe('PUT bodies from a logged-in caller', () => {
    it('names wrong types, missing and unknown fields', async () => {
      const user = await register(suite.app);
      const agent = await logIn(suite.app, user);
      const admin = await logIn(suite.app, await createAdmin(suite));
      expectInvalidField(await agent.put(`/users/${user.id}/password`).send({ currentPassword: user.password }), 'newPassword');
      expectInvalidField(
        await agent.put(`/users/${user.id}/password`).send({ currentPassword: 1, newPassword: PASSWORD }),
        'currentPassword',
      );
      expectInvalidField(
        await agent.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword: 'a long new one', extra: 1 }),
        'extra',
      );
      expectInvalidField(await admin.put(`/users/${user.id}/role`).send({ role: 'admin', id: user.id }), 'id');
      expect(await suite.db('users').where({ id: user.id }).first('role')).to.deep.equal({ role: 'user' });
    });
  });

  describe('passwords are never truncated', () => {
    const logInWith = (username: string, password: string) => client().post('/login').send({ username, password });

    it('a 72-byte password logs in only whole: with extra characters after it, 401', async () => {
      for (const password of ['p'.repeat(72), 'é'.repeat(36)]) {
        expect(Buffer.byteLength(password)).to.equal(72);
        const user = await register(suite.app, uniqueName(), password);
        expectProblem(await logInWith(user.username, `${password}extra`), 401, 'invalid-credentials');
        expectProblem(await logInWith(user.username, `${password}x`), 401, 'invalid-credentials');
        await logInWith(user.username, password).expect(200);
      }
    });

    it('"password\\u0000anything" never logs into an account whose password is "password"', async () => {
      // A random stand-in for "password" (which the common-password list would refuse): bcrypt stops at a NUL,
      // so a check that let the NUL through would hash both to the same value.
      const password = uniqueName('pass');
      const user = await register(suite.app, uniqueName(), password);
      expectProblem(await logInWith(user.username, `${password}\u0000anything`), 401, 'invalid-credentials');
      expectProblem(await logInWith(user.username, `${password}\u0000`), 401, 'invalid-credentials');
      await logInWith(user.username, password).expect(200);
    });
  });

  it('treats usernames case-insensitively: registered "Ada…", logs in as "ADA…"', async () => {
    const suffix = uniqueName('').slice(1);
    const res = await client()
      .post('/users')
      .send({ username: `Ada${suffix}`, password: PASSWORD })
      .expect(201);
    expect(res.body.username).to.equal(`ada${suffix}`);
    await client()
      .post('/login')
      .send({ username: `ADA${suffix}`, password: PASSWORD })
      .expect(200);
  });
});
