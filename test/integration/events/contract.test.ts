import { expect } from 'chai';
import {
  changeOwnPassword,
  changeRole,
  consume,
  createAdmin,
  eventsSuite,
  expectCloudEvent,
  expectNoSecrets,
  freshTopic,
  logIn,
  outboxRows,
  register,
  sleep,
  untilIds,
  wiredRelay,
  type Account,
  type Session,
} from './helpers.js';

describe('user events on the broker: one per use case, CloudEvents, no secrets', function () {
  this.timeout(60_000);
  const suite = eventsSuite();

  it('publishes exactly the events of register, login, password change, role change and delete', async () => {
    const topic = await freshTopic(suite.kafka, 'contract');
    const joining = consume(suite, topic);
    const { app, container, relay } = wiredRelay(suite, topic);
    relay.start();

    let seen = 0;
    /** Runs one step over HTTP and returns [type, subject] of each outbox row it wrote. */
    const eventsOf = async (work: () => Promise<unknown>): Promise<string[][]> => {
      await work();
      const rows = (await outboxRows(suite.db)).slice(seen);
      seen += rows.length;
      return rows.map((r) => [r.type, r.aggregateid]);
    };
    const sessions: Session[] = [];
    const session = async (account: Account) => sessions[sessions.push(await logIn(app, account)) - 1]!;

    const admin = await createAdmin(container);
    const adminSession = await session(admin);
    await eventsOf(async () => undefined);

    let ada!: Account, adaSession!: Session, graceId!: string;
    const firstPassword = 'first password, long enough';
    expect(await eventsOf(async () => (ada = await register(app, 'ada', firstPassword))), 'register').to.deep.equal([
      ['user.created', ada.id],
    ]);
    expect(await eventsOf(async () => (adaSession = await session(ada))), 'login').to.deep.equal([['user.logged_in', ada.id]]);
    expect(await eventsOf(() => changeOwnPassword(adaSession, ada, 'second password, also long')), 'password change').to.deep.equal([
      ['user.password_changed', ada.id],
    ]);
    expect(await eventsOf(() => session(ada)), 'second login').to.deep.equal([['user.logged_in', ada.id]]);
    expect(await eventsOf(() => changeRole(adminSession, ada.id, 'admin')), 'role change').to.deep.equal([['user.role_changed', ada.id]]);
    const byAdmin = { username: 'grace', password: 'a third long password' };
    expect(
      await eventsOf(async () => (graceId = (await adminSession.agent.post('/users').send(byAdmin).expect(201)).body.id)),
      'creation by an admin',
    ).to.deep.equal([['user.created', graceId]]);

    const hash = (await suite.db('users').where({ id: ada.id }).first()).passwordHash as string;
    const sessionIds = (await suite.db('sessions').select('id')).map((r: { id: string }) => r.id);
    expect(sessionIds).to.have.length(sessions.length);
    const adaSessions = (await suite.db('sessions').where({ userId: ada.id }).select('publicId')).map(
      (r: { publicId: string }) => r.publicId,
    );
    expect(await eventsOf(() => adminSession.agent.delete(`/users/${ada.id}`).expect(204)), 'delete').to.deep.equal([
      ['user.sessions_ended', ada.id],
      ['user.deleted', ada.id],
    ]);

    const consumer = await joining;
    const rows = await outboxRows(suite.db);
    const received = await untilIds(
      consumer,
      rows.map((r) => r.id),
    );
    await sleep(500); // time for anything unexpected to arrive
    expect(consumer.received.map((m) => m.event.id).sort(), 'each row once, nothing else').to.deep.equal(rows.map((r) => r.id).sort());
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const message of received) expectCloudEvent(message, byId.get(message.event.id)!);

    const dataOf = (type: string, subject: string) =>
      received.filter((m) => m.event.type === type && m.event.subject === subject).map((m) => m.event.data);
    expect(dataOf('user.created', admin.id)).to.deep.equal([
      { userId: admin.id, username: admin.username, role: 'admin', createdBy: null, email: null },
    ]);
    expect(dataOf('user.created', ada.id)).to.deep.equal([{ userId: ada.id, username: 'ada', role: 'user', createdBy: null, email: null }]);
    expect(dataOf('user.created', graceId)).to.deep.equal([
      { userId: graceId, username: 'grace', role: 'user', createdBy: admin.id, email: null },
    ]);
    expect(dataOf('user.logged_in', ada.id)).to.deep.equal([{ userId: ada.id }, { userId: ada.id }]);
    expect(dataOf('user.password_changed', ada.id)).to.deep.equal([{ userId: ada.id, changedBy: ada.id, reason: 'change' }]);
    expect(dataOf('user.role_changed', ada.id)).to.deep.equal([{ userId: ada.id, from: 'user', to: 'admin', changedBy: admin.id }]);
    expect(dataOf('user.deleted', ada.id)).to.deep.equal([{ userId: ada.id, username: 'ada', deletedBy: admin.id }]);
    const [ended] = dataOf('user.sessions_ended', ada.id) as Array<{ sessionIds: string[] }>;
    expect(ended).to.deep.include({ userId: ada.id, reason: 'user-deleted', endedBy: admin.id });
    expect(adaSessions).to.not.be.empty;
    expect(ended!.sessionIds).to.have.members(adaSessions);

    expectNoSecrets(received, [
      firstPassword,
      ada.password,
      admin.password,
      byAdmin.password,
      hash,
      hash.slice('$2b$04$'.length), // salt and digest, in case a prefix were re-encoded
      ...sessions.flatMap((s) => s.cookieValues),
      ...sessionIds,
    ]);
  });
});
