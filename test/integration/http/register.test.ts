import { expect } from 'chai';
import request from 'supertest';
import { createAdmin, expectInvalidField, expectProblem, httpSuite, logIn, PASSWORD, register, uniqueName, UUID_V7 } from './helpers.js';

describe('POST /users', function () {
  const suite = httpSuite();

  it('registers a user anonymously: 201, the new user and its Location', async () => {
    const username = uniqueName('ada');
    const res = await request(suite.app.callback()).post('/users').send({ username, password: PASSWORD }).expect(201);
    expect(res.body).to.include.all.keys('id', 'username', 'role', 'createdAt');
    expect(res.body).to.include({ username, role: 'user' });
    expect(res.body).not.to.have.any.keys('password', 'passwordHash');
    expect(new Date(res.body.createdAt).getTime()).to.be.closeTo(Date.now(), 60_000);
    expect(res.headers.location).to.equal(`/users/${res.body.id}`);
    expect(await suite.db('users').where({ id: res.body.id }).first('username')).to.deep.equal({ username });
  });

  it('gives each user a UUIDv7 string id, never an integer', async () => {
    const first = await register(suite.app);
    const second = await register(suite.app);
    for (const { id } of [first, second]) {
      expect(id).to.be.a('string').that.matches(UUID_V7);
    }
    expect(first.id).not.to.equal(second.id);
  });

  it('refuses an admin account to an anonymous caller: 403 naming role', async () => {
    const username = uniqueName();
    const res = await request(suite.app.callback()).post('/users').send({ username, password: PASSWORD, role: 'admin' });
    expectInvalidField(res, 'role', 403);
    expect(res.body.code).to.equal('forbidden');
    expect(await suite.db('users').where({ username })).to.be.empty;
  });

  it('refuses an admin account to a plain user: 403 naming role', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const username = uniqueName();
    const res = await agent.post('/users').send({ username, password: PASSWORD, role: 'admin' });
    expectInvalidField(res, 'role', 403);
    expect(await suite.db('users').where({ username })).to.be.empty;
  });

  it('lets an admin create an admin', async () => {
    const admin = await createAdmin(suite);
    const agent = await logIn(suite.app, admin);
    const username = uniqueName();
    const res = await agent.post('/users').send({ username, password: PASSWORD, role: 'admin' }).expect(201);
    expect(res.body).to.include({ username, role: 'admin' });
    const created = await logIn(suite.app, { username, password: PASSWORD });
    expect((await created.get('/users/me').expect(200)).body.role).to.equal('admin');
  });

  it('lets an admin create a plain user too', async () => {
    const agent = await logIn(suite.app, await createAdmin(suite));
    const res = await agent.post('/users').send({ username: uniqueName(), password: PASSWORD }).expect(201);
    expect(res.body.role).to.equal('user');
  });

  it('answers 409 for a taken name, whatever its case', async () => {
    const username = uniqueName('grace');
    await register(suite.app, username);
    const client = request(suite.app.callback());
    for (const taken of [username, username.toUpperCase(), `  ${username.replace('g', 'G')} `]) {
      const res = await client.post('/users').send({ username: taken, password: 'another long password' });
      expectProblem(res, 409, 'username-taken');
    }
    expect(await suite.db('users').where({ username })).to.have.length(1);
  });

  it('creates exactly one account when ten clients register one name at once', async () => {
    const username = uniqueName('race');
    const attempts = Array.from({ length: 10 }, (_, i) =>
      request(suite.app.callback())
        .post('/users')
        .send({ username: i % 2 ? username.toUpperCase() : username, password: `${PASSWORD} ${i}` }),
    );
    const responses = await Promise.all(attempts);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const res of responses.filter((r) => r.status === 409)) expectProblem(res, 409, 'username-taken');

    const rows = await suite.db('users').where({ username });
    expect(rows).to.have.length(1);
    const winner = responses.find((r) => r.status === 201)!;
    expect(rows[0].id).to.equal(winner.body.id);
    const events = await suite.db('outbox').where({ type: 'user.created' }).andWhere('payload', 'like', `%${username}%`);
    expect(events).to.have.length(1);
  });
});
