import { expect } from 'chai';
import request from 'supertest';
import { testEnv } from '../../support/test-app.js';
import {
  createAdmin,
  expectInvalidField,
  httpSuite,
  logIn,
  outboxTypes,
  register,
  sessionOf,
  uniqueName,
  whoAmI,
} from '../http/helpers.js';

/** The reason given for `field` in a 400, after checking the 400 names it. */
function reasonFor(res: request.Response, field: string): string {
  expectInvalidField(res, field);
  return (res.body.errors as { field: string; reason: string }[]).find((e) => e.field === field)!.reason;
}

describe('password policy and storage', function () {
  const suite = httpSuite();
  const hashOf = async (id: string): Promise<string> => (await suite.db('users').where({ id }).first('passwordHash')).passwordHash;
  const register$ = (username: string, password: string) => request(suite.app.callback()).post('/users').send({ username, password });

  describe('refused at registration', () => {
    for (const common of ['password123', 'qwerty123', 'Password123', 'QWERTY123']) {
      it(`refuses the common password "${common}": 400 naming password, saying why`, async () => {
        const username = uniqueName();
        const res = await register$(username, common);
        expect(reasonFor(res, 'password')).to.match(/common/i);
        expect(await suite.db('users').where({ username })).to.be.empty;
      });
    }

    it('refuses a password that contains the username, whatever its case', async () => {
      const username = uniqueName('grace');
      for (const password of [username, `my ${username} pass`, `${username.toUpperCase()}!!`]) {
        expect(reasonFor(await register$(username, password), 'password')).to.match(/username/i);
      }
      expect(await suite.db('users').where({ username })).to.be.empty;
    });
  });

  describe('refused on change', () => {
    it('refuses a common new password from the owner: 400 naming newPassword, and the old one still works', async () => {
      const user = await register(suite.app);
      const agent = await logIn(suite.app, user);
      for (const newPassword of ['password123', 'qwerty123']) {
        const res = await agent.put(`/users/${user.id}/password`).send({ currentPassword: user.password, newPassword });
        expect(reasonFor(res, 'newPassword')).to.match(/common/i);
      }
      await request(suite.app.callback()).post('/login').send({ username: user.username, password: user.password }).expect(200);
    });

    it('refuses a new password containing the username, also when an admin resets it', async () => {
      const user = await register(suite.app);
      const admin = await createAdmin(suite);
      const own = await logIn(suite.app, user);
      const res = await own
        .put(`/users/${user.id}/password`)
        .send({ currentPassword: user.password, newPassword: `${user.username}-2025` });
      expect(reasonFor(res, 'newPassword')).to.match(/username/i);
      const byAdmin = await logIn(suite.app, admin);
      const reset = await byAdmin.put(`/users/${user.id}/password`).send({ newPassword: `new ${user.username.toUpperCase()}` });
      expect(reasonFor(reset, 'newPassword')).to.match(/username/i);
      const common = await byAdmin.put(`/users/${user.id}/password`).send({ newPassword: 'qwerty123' });
      expect(reasonFor(common, 'newPassword')).to.match(/common/i);
      expect(await outboxTypes(suite.db, user.id)).not.to.include('user.password_changed');
    });
  });

  describe('hash upgrade when BCRYPT_COST is raised', () => {
    it('rehashes at cost 05 on the next successful login, and the password still works on either instance', async () => {
      const user = await register(suite.app); // testEnv: cost 4
      const before = await hashOf(user.id);
      expect(before).to.match(/^\$2b\$04\$/);
      const stronger = suite.appWith(testEnv({ BCRYPT_COST: '5' }));

      await request(stronger.callback()).post('/login').send({ username: user.username, password: 'not the password' }).expect(401);
      expect(await hashOf(user.id), 'a failed login changes nothing').to.equal(before);

      await request(stronger.callback()).post('/login').send({ username: user.username, password: user.password }).expect(200);
      const after = await hashOf(user.id);
      expect(after).to.match(/^\$2b\$05\$/);

      await request(stronger.callback()).post('/login').send({ username: user.username, password: user.password }).expect(200);
      expect(await hashOf(user.id), 'no second rehash at the same cost').to.equal(after);
      await request(suite.app.callback()).post('/login').send({ username: user.username, password: user.password }).expect(200);
      expect(await hashOf(user.id), 'never downgraded by an instance with a lower cost').to.equal(after);
    });

    it('is not a password change: no event, and other sessions stay valid', async () => {
      const user = await register(suite.app);
      const cookie = await sessionOf(suite.app, user);
      const stronger = suite.appWith(testEnv({ BCRYPT_COST: '5' }));
      await request(stronger.callback()).post('/login').send({ username: user.username, password: user.password }).expect(200);
      expect(await hashOf(user.id)).to.match(/^\$2b\$05\$/);
      expect(await outboxTypes(suite.db, user.id)).not.to.include('user.password_changed');
      await whoAmI(suite.app, cookie).expect(200);
    });
  });

  describe('Unicode normalisation (NFKC)', () => {
    it('logs in with a precomposed "é" after registering with "e" + combining accent, and the other way round', async () => {
      const decomposed = 'Cafe\u0301 au lait!';
      const precomposed = 'Caf\u00e9 au lait!';
      const first = await register(suite.app, uniqueName(), decomposed);
      await request(suite.app.callback()).post('/login').send({ username: first.username, password: precomposed }).expect(200);
      const second = await register(suite.app, uniqueName(), precomposed);
      await request(suite.app.callback()).post('/login').send({ username: second.username, password: decomposed }).expect(200);
      await request(suite.app.callback()).post('/login').send({ username: second.username, password: 'Cafe au lait!' }).expect(401);
    });

    it('accepts the current password in the other form on a password change', async () => {
      const user = await register(suite.app, uniqueName(), 'Cafe\u0301 au lait!');
      const agent = await logIn(suite.app, user);
      await agent
        .put(`/users/${user.id}/password`)
        .send({ currentPassword: 'Caf\u00e9 au lait!', newPassword: 'another decent passphrase' })
        .expect(204);
    });
  });
});
