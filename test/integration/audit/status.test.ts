import { expect } from 'chai';
import request from 'supertest';
import { SetAccountStatus } from '../../../src/application/accounts/set-account-status.js';
import { KnexUnitOfWork } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { SequentialIds, FixedClock } from '../../fakes.js';
import {
  createAdmin,
  credentials,
  expectInvalidField,
  expectProblem,
  logIn,
  outboxTypes,
  register,
  sessionOf,
  whoAmI,
} from '../http/helpers.js';
import { auditRows, onEachDatabase } from './helpers.js';

onEachDatabase('PUT /users/{id}/status', (suite) => {
  it('disables an account: 200 with the user and its status, and its open sessions stop working at once', async () => {
    const ada = await register(suite.app);
    const laptop = await sessionOf(suite.app, ada);
    const phone = await logIn(suite.app, ada);
    await whoAmI(suite.app, laptop).expect(200);
    const admin = await createAdmin(suite);
    const res = await (
      await logIn(suite.app, admin)
    )
      .put(`/users/${ada.id}/status`)
      .send({ status: 'disabled', reason: 'left the company' })
      .expect(200);
    expect(res.body).to.include({ id: ada.id, username: ada.username, role: 'user', status: 'disabled', statusReason: 'left the company' });
    expectProblem(await whoAmI(suite.app, laptop), 401, 'not-authenticated');
    expectProblem(await phone.get('/users/me'), 401, 'not-authenticated');
    expect(await suite.db('sessions').where({ userId: ada.id }).count({ n: '*' }).first()).to.deep.include({ n: 0 });
    const me = await (await logIn(suite.app, admin)).get(`/users/${ada.id}`).expect(200);
    expect(me.body).to.include({ status: 'disabled' });
  });

  it('refuses a disabled account at sign-in: 403 account-disabled after the right password, the usual 401 after a wrong one', async () => {
    const ada = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    await admin.put(`/users/${ada.id}/status`).send({ status: 'disabled' }).expect(200);
    const right = await request(suite.app.callback()).post('/login').send(credentials(ada));
    expectProblem(right, 403, 'account-disabled');
    expect(right.headers['set-cookie'] ?? []).to.satisfy((c: string[]) => !c.some((line) => /^authsvc\.sid=[^;]/.test(line)));
    expectProblem(
      await request(suite.app.callback())
        .post('/login')
        .send({ ...credentials(ada), password: 'not the password' }),
      401,
      'invalid-credentials',
    );
    const metrics = await request(suite.app.callback()).get('/metrics').expect(200);
    expect(metrics.text).to.match(/^auth_logins_total\{outcome="disabled"\} [1-9]/m);
    // Enabled again, it signs in.
    const enabled = await admin.put(`/users/${ada.id}/status`).send({ status: 'active', reason: 'came back' }).expect(200);
    expect(enabled.body).to.include({ status: 'active', statusReason: null });
    await logIn(suite.app, ada);
  });

  it('writes the change, the user.disabled / user.enabled event and the audit entry together', async () => {
    const ada = await register(suite.app);
    const adminAccount = await createAdmin(suite);
    const admin = await logIn(suite.app, adminAccount);
    await admin
      .put(`/users/${ada.id}/status`)
      .set('User-Agent', 'console/1.0')
      .set('X-Request-Id', 'req-status-1')
      .send({ status: 'disabled', reason: 'fraud' })
      .expect(200);
    await admin.put(`/users/${ada.id}/status`).send({ status: 'active' }).expect(200);
    expect(await outboxTypes(suite.db, ada.id)).to.deep.equal(['user.created', 'user.disabled', 'user.enabled']);
    const payloads = (await suite.db('outbox').where({ aggregateid: ada.id }).orderBy('seq').pluck('payload')).map((p: string) =>
      JSON.parse(p),
    );
    expect(payloads[1]).to.deep.equal({ userId: ada.id, reason: 'fraud', disabledBy: adminAccount.id });
    expect(payloads[2]).to.deep.equal({ userId: ada.id, reason: null, enabledBy: adminAccount.id });
    const entries = (await auditRows(suite.db, ada.id)).filter((e) => e.type.startsWith('user.'));
    expect(entries.map((e) => [e.type, e.outcome, e.actor, e.details])).to.deep.equal([
      ['user.created', 'success', 'anonymous', { username: ada.username, role: 'user' }],
      ['user.disabled', 'success', adminAccount.id, { reason: 'fraud', sessionsEnded: true }],
      ['user.enabled', 'success', adminAccount.id, { reason: null }],
    ]);
    expect(entries[1]).to.include({ userAgent: 'console/1.0', requestId: 'req-status-1' });
    expect(entries[1]!.client).to.be.a('string').and.not.empty;
  });

  it('leaves everything as it was when the audit write fails: status, sessions and event share one transaction', async () => {
    const ada = await register(suite.app);
    await sessionOf(suite.app, ada);
    const admin = await createAdmin(suite);
    const failing = new KnexUnitOfWork(suite.db, undefined, () => ({
      record: async () => {
        throw new Error('audit write failed');
      },
    }));
    const setStatus = new SetAccountStatus(failing, new SequentialIds(), new FixedClock());
    const err = await setStatus.execute({ userId: ada.id, status: 'disabled' }, { userId: admin.id, role: 'admin' }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error).with.property('message', 'audit write failed');
    expect(await suite.db('users').where({ id: ada.id }).first('status')).to.deep.equal({ status: 'active' });
    expect(await suite.db('sessions').where({ userId: ada.id }).count({ n: '*' }).first()).to.deep.include({ n: 1 });
    expect(await outboxTypes(suite.db, ada.id)).to.deep.equal(['user.created', 'user.logged_in']);
  });

  it('refuses an admin disabling itself with 403 cannot-disable-self, and a plain user with 403 forbidden', async () => {
    const adminAccount = await createAdmin(suite);
    const admin = await logIn(suite.app, adminAccount);
    expectProblem(await admin.put(`/users/${adminAccount.id}/status`).send({ status: 'disabled' }), 403, 'cannot-disable-self');
    await admin.get('/users/me').expect(200);
    const ada = await register(suite.app);
    const bob = await register(suite.app);
    const agent = await logIn(suite.app, ada);
    expectProblem(await agent.put(`/users/${bob.id}/status`).send({ status: 'disabled' }), 403, 'forbidden');
    expectProblem(await agent.put(`/users/${ada.id}/status`).send({ status: 'disabled' }), 403, 'forbidden');
    expectProblem(
      await request(suite.app.callback()).put(`/users/${bob.id}/status`).send({ status: 'disabled' }),
      401,
      'not-authenticated',
    );
    expect(await suite.db('users').whereIn('id', [ada.id, bob.id, adminAccount.id]).pluck('status')).to.deep.equal([
      'active',
      'active',
      'active',
    ]);
  });

  it('answers 404 for an unknown user and 400 naming the field for a bad body', async () => {
    const ada = await register(suite.app);
    const admin = await logIn(suite.app, await createAdmin(suite));
    expectProblem(
      await admin.put('/users/0190a8f0-0000-7000-8000-000000000000/status').send({ status: 'disabled' }),
      404,
      'user-not-found',
    );
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({ status: 'banned' }), 'status');
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({}), 'status');
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({ status: 'disabled', reason: 'x'.repeat(257) }), 'reason');
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({ status: 'disabled', reason: 42 }), 'reason');
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({ status: 'disabled', reason: 'a\nb' }), 'reason');
    expectInvalidField(await admin.put(`/users/${ada.id}/status`).send({ status: 'disabled', by: 'me' }), 'by');
    expect(await suite.db('users').where({ id: ada.id }).first('status')).to.deep.equal({ status: 'active' });
  });
});

// Databases of their own: these cases count the admins.
onEachDatabase('the last active admin', (suite) => {
  it('cannot be disabled; a disabled admin does not count, and no longer acts as one', async () => {
    const rootAccount = await createAdmin(suite);
    const secondAccount = await createAdmin(suite);
    const root = await logIn(suite.app, rootAccount);
    const second = await logIn(suite.app, secondAccount);
    await root.put(`/users/${secondAccount.id}/status`).send({ status: 'disabled' }).expect(200);
    expectProblem(await second.get('/users'), 401, 'not-authenticated');
    // root is the only active admin left: it cannot be demoted (nor disable itself; see above).
    expectProblem(await root.put(`/users/${rootAccount.id}/role`).send({ role: 'user' }), 409, 'last-admin');
    await root.put(`/users/${secondAccount.id}/role`).send({ role: 'admin' }).expect(200); // a no-op on a disabled admin
    const third = await createAdmin(suite);
    const thirdAgent = await logIn(suite.app, third);
    await thirdAgent.put(`/users/${rootAccount.id}/status`).send({ status: 'disabled' }).expect(200);
    expectProblem(await thirdAgent.put(`/users/${third.id}/status`).send({ status: 'disabled' }), 403, 'cannot-disable-self');
    expect(await suite.db('users').where({ role: 'admin', status: 'active' }).pluck('id')).to.deep.equal([third.id]);
  });

  // Over HTTP the caller is itself an active admin, so only a race (or the operator) can meet this rule.
  it('refuses with 409 last-admin when the one active admin would be disabled by the operator', async () => {
    const { OPERATOR } = await import('../../../src/domain/access-policy.js');
    const active = await suite.db('users').where({ role: 'admin', status: 'active' }).pluck('id');
    expect(active).to.have.length(1);
    const err = await suite.container
      .get(SetAccountStatus)
      .execute({ userId: active[0], status: 'disabled' }, OPERATOR)
      .catch((e: Error) => e);
    expect(err).to.have.property('code', 'last-admin');
    expect(await suite.db('users').where({ role: 'admin', status: 'active' }).pluck('id')).to.deep.equal(active);
  });
});
