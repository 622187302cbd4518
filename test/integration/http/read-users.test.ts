import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { createAdmin, expectInvalidField, expectProblem, httpSuite, logIn, PASSWORD, register, uniqueName } from './helpers.js';

describe('GET /users/me, /users/{id} and /users', function () {
  const suite = httpSuite();

  it('GET /users/me answers the caller', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const res = await agent.get('/users/me').expect(200);
    expect(res.body).to.include({ id: user.id, username: user.username, role: 'user' });
    expect(res.body).not.to.have.any.keys('password', 'passwordHash');
  });

  it('GET /users/{id} answers a user its own account', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, user);
    expect((await agent.get(`/users/${user.id}`).expect(200)).body).to.include({ id: user.id, username: user.username });
  });

  it("GET /users/{id} refuses a user another user's account with 403", async () => {
    const user = await register(suite.app);
    const other = await register(suite.app);
    const agent = await logIn(suite.app, user);
    const res = await agent.get(`/users/${other.id}`);
    expectProblem(res, 403, 'forbidden');
    expect(JSON.stringify(res.body)).not.to.include(other.username);
  });

  it('GET /users/{id} answers an admin any account, and 404 for an unknown id', async () => {
    const user = await register(suite.app);
    const agent = await logIn(suite.app, await createAdmin(suite));
    expect((await agent.get(`/users/${user.id}`).expect(200)).body).to.include({ id: user.id, username: user.username });
    expectProblem(await agent.get(`/users/${uuidv7()}`), 404, 'user-not-found');
  });

  describe('GET /users', () => {
    it('is refused to a plain user (403) and to an anonymous caller (401)', async () => {
      const agent = await logIn(suite.app, await register(suite.app));
      expectProblem(await agent.get('/users'), 403, 'forbidden');
      const anonymous = await logIn(suite.app, await register(suite.app));
      await anonymous.post('/logout').expect(204);
      expectProblem(await anonymous.get('/users'), 401, 'not-authenticated');
    });

    it('pages through every user with limit and the after cursor', async () => {
      for (let i = 0; i < 5; i += 1) await register(suite.app);
      const agent = await logIn(suite.app, await createAdmin(suite));
      const all = (await suite.db('users').orderBy('id').select('id')).map((r: { id: string }) => r.id);
      expect(all.length).to.be.at.least(7);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: '3', ...(cursor && { after: cursor }) };
        const res = await agent.get('/users').query(query).expect(200);
        expect(res.body).to.have.all.keys('users', 'nextCursor');
        expect(res.body.users.length).to.be.within(1, 3);
        for (const u of res.body.users) expect(u).not.to.have.any.keys('password', 'passwordHash');
        seen.push(...res.body.users.map((u: { id: string }) => u.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 50);

      expect(seen).to.deep.equal(all);
      expect(pages).to.equal(Math.ceil(all.length / 3));
    });

    it('defaults to a page of at most 20 users', async () => {
      const agent = await logIn(suite.app, await createAdmin(suite));
      const res = await agent.get('/users').expect(200);
      expect(res.body.users).to.be.an('array').that.is.not.empty;
      expect(res.body.users.length).to.be.at.most(20);
    });

    it('searches with q by the start of the username or address, in any case, paging the matches', async () => {
      const tag = uniqueName('find').replace('-', '');
      const named = [];
      for (const suffix of ['1', '2', '3']) named.push(await register(suite.app, `${tag}-${suffix}`));
      await register(suite.app, `x${tag}`); // holds the term, does not start with it
      const agent = await logIn(suite.app, await createAdmin(suite));
      const byAddress = await suite.container
        .get(CreateUser)
        .execute({ username: uniqueName(), password: PASSWORD, email: `${tag}@example.com` }, 'system');
      named.push({ id: byAddress.id, username: byAddress.username, password: PASSWORD });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { q: tag.toUpperCase(), limit: '3', ...(cursor && { after: cursor }) };
        const res = await agent.get('/users').query(query).expect(200);
        seen.push(...res.body.users.map((u: { id: string }) => u.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(seen).to.deep.equal(named.map((u) => u.id).sort());
      expect(pages).to.equal(2);

      const literal = await agent
        .get('/users')
        .query({ q: `${tag.slice(0, 3)}%` })
        .expect(200);
      expect(literal.body).to.deep.equal({ users: [], nextCursor: null });
    });

    // The length is bounded by the query's schema (query.q), the characters by the use case (q).
    for (const [what, q, field] of [
      ['longer than 254 characters', 'a'.repeat(255), 'query.q'],
      ['with a control character', 'ad\u0001a', 'q'],
    ]) {
      it(`answers 400 naming ${field} for a q ${what}`, async () => {
        const agent = await logIn(suite.app, await createAdmin(suite));
        expectInvalidField(await agent.get('/users').query({ q }), field!);
      });
    }

    for (const limit of ['0', '101', 'abc', '-1', '2.5']) {
      it(`answers 400 naming query.limit for limit=${limit}`, async () => {
        const agent = await logIn(suite.app, await createAdmin(suite));
        expectInvalidField(await agent.get('/users').query({ limit }), 'query.limit');
      });
    }
  });
});
