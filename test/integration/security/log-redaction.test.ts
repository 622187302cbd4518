import { expect } from 'chai';
import type { Knex } from 'knex';
import type Koa from 'koa';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { COOKIE, cookieValue, httpSuite, sha256Hex, uniqueName } from '../http/helpers.js';
import { appWithCapturedLogs, failWrites, type CapturedLogs } from './helpers.js';

/** Everything secret that went over the wire or into the database during a test, to look for in the logs. */
class Secrets {
  readonly items = new Map<string, string>();

  add(label: string, value: string | undefined): void {
    expect(value, label).to.be.a('string').that.is.not.empty;
    this.items.set(label, value!);
  }

  /** The session cookie, its signature, and the sha256 the sessions table keys it by; returns a Cookie header. */
  addSession(label: string, res: request.Response): string {
    const sid = cookieValue(res);
    const sig = cookieValue(res, `${COOKIE}.sig`);
    this.add(`${label}: session id`, sid);
    this.add(`${label}: cookie signature`, sig);
    this.add(`${label}: sha256 of the session id`, sha256Hex(sid!));
    return `${COOKIE}=${sid}; ${COOKIE}.sig=${sig}`;
  }

  async addHash(label: string, db: Knex, userId: string): Promise<void> {
    this.add(`${label}: password hash`, (await db('users').where({ id: userId }).first('passwordHash')).passwordHash);
  }

  /** The labels of the secrets found in the log text; bcrypt's "$2b$" prefix counts as one. */
  foundIn(logs: CapturedLogs): string[] {
    const text = logs.text();
    const found = [...this.items].filter(([, value]) => text.includes(value)).map(([label]) => label);
    if (text.includes('$2b$')) found.push('a bcrypt hash ("$2b$")');
    return found;
  }
}

describe('no secret reaches the logs (LOG_LEVEL=debug)', function () {
  const suite = httpSuite();
  let app: Koa;
  let logs: CapturedLogs;
  let createUser: CreateUser;
  const c = () => request(app.callback());

  beforeEach(() => {
    const wired = appWithCapturedLogs(suite.db);
    ({ app, logs } = wired);
    createUser = wired.container.get(CreateUser);
  });

  async function anAdmin(secrets: Secrets): Promise<{ id: string; username: string; cookie: string }> {
    const username = uniqueName('admin');
    const password = 'Admin-Passphrase-4471';
    const { id } = await createUser.execute({ username, password, role: 'admin' }, 'system');
    secrets.add('admin password', password);
    const res = await c().post('/login').send({ username, password }).expect(200);
    return { id, username, cookie: secrets.addSession('admin login', res) };
  }

  it('through a whole API session, with the client errors that carry passwords', async () => {
    const secrets = new Secrets();
    const username = uniqueName('logged');
    const first = 'First-Passphrase-9137';
    const second = 'Second-Passphrase-2864';
    secrets.add('first password', first);
    secrets.add('second password', second);

    const { id } = (await c().post('/users').send({ username, password: first }).expect(201)).body;
    await secrets.addHash('first', suite.db, id);
    const cookie = secrets.addSession('user login', await c().post('/login').send({ username, password: first }).expect(200));
    await c().get('/users/me').set('Cookie', cookie).expect(200);
    await c().get(`/users/${id}`).set('Cookie', cookie).expect(200);
    secrets.add('wrong current password', 'Wrong-Current-5520');
    await c()
      .put(`/users/${id}/password`)
      .set('Cookie', cookie)
      .send({ currentPassword: 'Wrong-Current-5520', newPassword: second })
      .expect(403);
    await c().put(`/users/${id}/password`).set('Cookie', cookie).send({ currentPassword: first, newPassword: second }).expect(204);
    await secrets.addHash('second', suite.db, id);

    const admin = await anAdmin(secrets);
    await secrets.addHash('admin', suite.db, admin.id);
    await c().put(`/users/${id}/role`).set('Cookie', admin.cookie).send({ role: 'admin' }).expect(200);
    await c().put(`/users/${id}/role`).set('Cookie', admin.cookie).send({ role: 'user' }).expect(200);
    await c().get('/users').set('Cookie', admin.cookie).expect(200);
    secrets.add('password reset by the admin', 'Reset-By-Admin-3318');
    await c().put(`/users/${id}/password`).set('Cookie', admin.cookie).send({ newPassword: 'Reset-By-Admin-3318' }).expect(204);
    await c().post('/logout').set('Cookie', cookie).expect(401); // the reset ended the user's sessions
    const again = secrets.addSession(
      'second user login',
      await c().post('/login').send({ username, password: 'Reset-By-Admin-3318' }).expect(200),
    );
    await c().post('/logout').set('Cookie', again).expect(204);
    await c().delete(`/users/${id}`).set('Cookie', admin.cookie).expect(204);

    secrets.add('password in malformed JSON', 'Malformed-Body-Secret-7781');
    await c()
      .post('/login')
      .set('Content-Type', 'application/json')
      .send(`{"username":"${username}","password":"Malformed-Body-Secret-7781"`)
      .expect(400);
    secrets.add('password of a failed login', 'Failed-Login-Guess-6603');
    await c().post('/login').send({ username: admin.username, password: 'Failed-Login-Guess-6603' }).expect(401);
    const other = uniqueName('other');
    secrets.add('password refused by the policy', `${other}-Contains-Name`);
    await c()
      .post('/users')
      .send({ username: other, password: `${other}-Contains-Name` })
      .expect(400);
    secrets.add('password in a form body', 'Form-Body-Secret-4490');
    await c().post('/login').type('form').send({ username, password: 'Form-Body-Secret-4490' }).expect(415);
    secrets.add('password in an oversized body', 'Oversized-Body-Secret-1207');
    await c()
      .post('/users')
      .send({ username, password: 'Oversized-Body-Secret-1207', padding: 'x'.repeat(200_000) })
      .expect(413);
    await c().post('/logout').set('Cookie', admin.cookie).expect(204);

    expect(logs.lines().filter((l) => l.msg === 'request').length, 'one line per request was logged').to.be.at.least(20);
    expect(secrets.foundIn(logs)).to.deep.equal([]);
  });

  it('when the database fails (500s logged with their error), on a login and on a logout', async () => {
    const secrets = new Secrets();
    const doomed = { username: uniqueName('doomed'), password: 'Doomed-Passphrase-8812' };
    secrets.add('password of the failed login', doomed.password);
    const { id } = (await c().post('/users').send(doomed).expect(201)).body;
    await secrets.addHash('doomed', suite.db, id);

    // The login's UPDATE of the user row fails (carrying the password hash in its SQL).
    let restore = await failWrites(suite.db, { name: 'redaction_users', table: 'users', event: 'UPDATE', userId: id });
    try {
      await c().post('/login').send(doomed).expect(500);
    } finally {
      await restore();
    }
    // The logout's DELETE of the live session row fails (carrying the sha256 of the session id in its SQL).
    const cookie = secrets.addSession('login', await c().post('/login').send(doomed).expect(200));
    restore = await failWrites(suite.db, { name: 'redaction_sessions', table: 'sessions', event: 'DELETE', userId: id });
    try {
      await c().post('/logout').set('Cookie', cookie).expect(500);
    } finally {
      await restore();
    }

    const errors = logs.lines().filter((l) => l.level >= 50);
    expect(errors, 'each 500 is logged as an error').to.have.length(2);
    expect(secrets.foundIn(logs)).to.deep.equal([]);
  });
});
