import { expect } from 'chai';
import request from 'supertest';
import { IdGenerator, UnitOfWork } from '../../../src/application/ports.js';
import { loggedIn } from '../../../src/domain/events.js';
import {
  consume,
  createAdmin,
  eventsSuite,
  freshTopic,
  logIn,
  outboxRows,
  PASSWORD,
  register,
  sleep,
  untilIds,
  wiredRelay,
} from './helpers.js';

describe('a use case that rolls back publishes nothing', function () {
  this.timeout(60_000);
  const suite = eventsSuite();

  it('leaves no event of a refused registration, delete or demotion, nor of a unit of work that threw', async () => {
    const topic = await freshTopic(suite.kafka, 'rollback');
    const joining = consume(suite, topic);
    const { app, container, relay } = wiredRelay(suite, topic);
    relay.start();
    const http = () => request(app.callback());

    const admin = await createAdmin(container);
    const adminSession = await logIn(app, admin);
    const ada = await register(app, 'ada');
    const bob = await register(app, 'bob');
    const bobSession = await logIn(app, bob);
    const before = await outboxRows(suite.db);

    await http().post('/users').send({ username: 'ADA', password: PASSWORD }).expect(409); // username taken
    await bobSession.agent.delete(`/users/${ada.id}`).expect(403); // not an admin
    await adminSession.agent.delete(`/users/${admin.id}`).expect(403); // cannot delete itself
    await adminSession.agent.put(`/users/${admin.id}/role`).send({ role: 'user' }).expect(409); // the last admin
    await bobSession.agent
      .put(`/users/${bob.id}/password`)
      .send({ currentPassword: 'wrong one!', newPassword: 'x'.repeat(12) })
      .expect(403);

    // A unit of work that wrote its outbox row, then failed: the row goes with the rollback.
    const doomed = container.get<IdGenerator>(IdGenerator).next();
    const failure = await container
      .get<UnitOfWork>(UnitOfWork)
      .run(async ({ users, outbox }) => {
        const user = (await users.findById(ada.id))!;
        user.recordLogin(new Date());
        await users.update(user);
        await outbox.add(loggedIn(user, { id: doomed, at: new Date() }));
        expect(await suite.db('outbox').where({ id: doomed }).first(), 'not visible outside the transaction').to.be.undefined;
        throw new Error('boom after the outbox row');
      })
      .catch((err: unknown) => err);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'boom after the outbox row');

    const idsOf = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    expect(idsOf(await outboxRows(suite.db)), 'the failures wrote nothing').to.deep.equal(idsOf(before));

    // A later success; once it and everything before it are on the broker, nothing else may be.
    await logIn(app, ada);
    const rows = await outboxRows(suite.db);
    expect(rows.slice(before.length).map((r) => [r.type, r.aggregateid])).to.deep.equal([['user.logged_in', ada.id]]);
    const consumer = await joining;
    await untilIds(
      consumer,
      rows.map((r) => r.id),
    );
    await sleep(500); // time for anything unexpected to arrive

    const ids = consumer.received.map((m) => m.event.id);
    expect(ids).not.to.include(doomed);
    expect(ids.sort(), 'exactly the committed events').to.deep.equal(rows.map((r) => r.id).sort());
    const typesOf = (userId: string) => consumer.received.filter((m) => m.key === userId).map((m) => m.event.type);
    expect(typesOf(ada.id)).to.deep.equal(['user.created', 'user.logged_in']);
    expect(typesOf(bob.id)).to.deep.equal(['user.created', 'user.logged_in']);
    expect(typesOf(admin.id)).to.deep.equal(['user.created', 'user.logged_in']);
    expect(
      consumer.received
        .filter((m) => m.event.type === 'user.created')
        .map((m) => (m.event.data as { username: string }).username)
        .sort(),
    ).to.deep.equal([admin.username, 'ada', 'bob'].sort());
  });
});
