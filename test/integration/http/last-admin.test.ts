import { expect } from 'chai';
import { createAdmin, expectProblem, httpSuite, logIn, outboxTypes } from './helpers.js';

// A database of its own: these tests need to know exactly how many admins exist.
describe('the last admin', function () {
  const suite = httpSuite();

  it('cannot be demoted, even by itself (409 last-admin), while another can', async () => {
    const firstAccount = await createAdmin(suite);
    const first = await logIn(suite.app, firstAccount);
    expectProblem(await first.put(`/users/${firstAccount.id}/role`).send({ role: 'user' }), 409, 'last-admin');
    expect(await suite.db('users').where({ role: 'admin' }).pluck('id')).to.deep.equal([firstAccount.id]);

    const secondAccount = await createAdmin(suite);
    const second = await logIn(suite.app, secondAccount);
    await second.put(`/users/${firstAccount.id}/role`).send({ role: 'user' }).expect(200);
    expectProblem(await second.put(`/users/${secondAccount.id}/role`).send({ role: 'user' }), 409, 'last-admin');
    expect(await suite.db('users').where({ role: 'admin' }).pluck('id')).to.deep.equal([secondAccount.id]);
    expect(await outboxTypes(suite.db, secondAccount.id)).to.deep.equal(['user.created', 'user.logged_in']);
  });
});
