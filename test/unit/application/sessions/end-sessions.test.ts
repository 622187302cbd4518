import { expect } from 'chai';
import { Forbidden, SessionNotFound, UserNotFound } from '../../../../src/domain/errors.js';
import { anAdmin, aUser } from '../../../builders.js';
import { useCases } from '../../../support/use-cases.js';

const ada = { userId: 'ada-id', role: 'user' as const };
const admin = { userId: 'admin-id', role: 'admin' as const };

async function setup() {
  const s = useCases();
  const { uow } = s;
  await uow.users.add(aUser({ id: 'ada-id', username: 'ada' }));
  await uow.users.add(anAdmin({ id: 'admin-id', username: 'root' }));
  for (const id of ['ada-laptop', 'ada-phone', 'ada-cli']) uow.sessions.start('ada-id', id);
  uow.sessions.start('bob-id', 'bob-laptop');
  return { ...s, list: s.listSessions };
}

describe('EndSession', () => {
  it("ends one of the caller's sessions and writes user.sessions_ended in the same unit of work", async () => {
    const { uow, endSession } = await setup();
    await endSession.execute({ sessionId: 'ada-phone' }, ada);
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal(['ada-laptop', 'ada-cli']);
    expect(uow.events.map((e) => e.payload)).to.deep.equal([
      { userId: 'ada-id', sessionIds: ['ada-phone'], reason: 'ended-by-user', endedBy: 'ada-id' },
    ]);
  });

  it("refuses another user's session exactly as an unknown one, and ends nothing", async () => {
    const { uow, endSession } = await setup();
    expect(await endSession.execute({ sessionId: 'bob-laptop' }, ada).catch((e) => e)).to.be.instanceOf(SessionNotFound);
    expect(await endSession.execute({ sessionId: 'nope' }, ada).catch((e) => e)).to.be.instanceOf(SessionNotFound);
    expect(uow.sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
    expect(uow.events).to.deep.equal([]);
  });

  it('ends nothing when the event cannot be written: session and event commit together', async () => {
    const { uow, endSession } = await setup();
    uow.failNextOutboxAdd();
    expect(await endSession.execute({ sessionId: 'ada-phone' }, ada).catch((e) => e)).to.be.an('error');
    expect(uow.sessions.keysOf('ada-id')).to.include('ada-phone');
    expect(uow.events).to.deep.equal([]);
  });
});

describe('the audit trail of ended sessions', () => {
  it('records who ended how many of whose sessions, and why, with the request', async () => {
    const { uow, endSession, endSessions } = await setup();
    const context = { client: '203.0.113.7', userAgent: 'Firefox/140', requestId: 'req-1' };
    await endSession.execute({ sessionId: 'ada-phone' }, ada, context);
    await endSessions.execute({ userId: 'ada-id' }, admin, context);
    await endSessions.execute({ userId: 'ada-id' }, admin, context); // nothing left to end: nothing recorded
    expect(uow.audit.map((e) => [e.type, e.actor, e.subjectId, e.details, e.context])).to.deep.equal([
      ['session.ended', 'ada-id', 'ada-id', { reason: 'ended-by-user', sessions: 1 }, context],
      ['session.ended', 'admin-id', 'ada-id', { reason: 'ended-by-admin', sessions: 2 }, context],
    ]);
  });
});

describe('EndSessions', () => {
  it('ends all the caller’s sessions but the current one', async () => {
    const { uow, endSessions } = await setup();
    await endSessions.execute({ userId: 'ada-id', keep: 'ada-cli' }, ada);
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal(['ada-cli']);
    expect(uow.events[0]!.payload).to.deep.equal({
      userId: 'ada-id',
      sessionIds: ['ada-laptop', 'ada-phone'],
      reason: 'ended-by-user',
      endedBy: 'ada-id',
    });
  });

  it("lets only an admin end another user's sessions, and tells an unknown user", async () => {
    const { uow, endSessions } = await setup();
    expect(await endSessions.execute({ userId: 'admin-id' }, ada).catch((e) => e)).to.be.instanceOf(Forbidden);
    expect(await endSessions.execute({ userId: 'ghost' }, admin).catch((e) => e)).to.be.instanceOf(UserNotFound);
    await endSessions.execute({ userId: 'ada-id' }, admin);
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal([]);
    expect(uow.events.map((e) => e.payload)).to.deep.equal([
      { userId: 'ada-id', sessionIds: ['ada-laptop', 'ada-phone', 'ada-cli'], reason: 'ended-by-admin', endedBy: 'admin-id' },
    ]);
  });

  it('writes no event when there was nothing to end, and rolls back with a failed event write', async () => {
    const { uow, endSessions } = await setup();
    await endSessions.execute({ userId: 'admin-id' }, admin);
    expect(uow.events).to.deep.equal([]);
    uow.failNextOutboxAdd();
    expect(await endSessions.execute({ userId: 'ada-id' }, admin).catch((e) => e)).to.be.an('error');
    expect(uow.sessions.keysOf('ada-id')).to.have.length(3);
  });
});

describe('ListSessions', () => {
  it("lists the caller's own; another user's only for an admin, checked before existence", async () => {
    const { list } = await setup();
    expect((await list.execute({ userId: 'ada-id' }, ada)).map((s) => s.id)).to.deep.equal(['ada-cli', 'ada-phone', 'ada-laptop']);
    expect(await list.execute({ userId: 'admin-id' }, ada).catch((e) => e)).to.be.instanceOf(Forbidden);
    expect(await list.execute({ userId: 'ghost' }, ada).catch((e) => e)).to.be.instanceOf(Forbidden);
    expect(await list.execute({ userId: 'ghost' }, admin).catch((e) => e)).to.be.instanceOf(UserNotFound);
    expect(await list.execute({ userId: 'ada-id' }, admin)).to.have.length(3);
  });
});
