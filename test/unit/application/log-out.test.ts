import { expect } from 'chai';
import { useCases } from '../../support/use-cases.js';

describe('LogOut', () => {
  it('ends the given session and only that one, and records it in the same unit of work', async () => {
    const { uow, logOut } = useCases();
    uow.sessions.start('ada-id', 'laptop');
    uow.sessions.start('ada-id', 'phone');
    uow.sessions.start('bob-id', 'bob-laptop');

    await logOut.execute({ userId: 'ada-id', sessionId: 'laptop' });

    expect(uow.sessions.keysOf('ada-id')).to.deep.equal(['phone']);
    expect(uow.sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
    expect(uow.events.map((e) => [e.type, e.payload])).to.deep.equal([
      ['user.sessions_ended', { userId: 'ada-id', sessionIds: ['laptop'], reason: 'logout', endedBy: 'ada-id' }],
    ]);
  });

  it("does nothing for a session that has already ended, nor for another user's session", async () => {
    const { uow, logOut } = useCases();
    uow.sessions.start('ada-id', 'phone');
    await logOut.execute({ userId: 'ada-id', sessionId: 'gone' });
    await logOut.execute({ userId: 'bob-id', sessionId: 'phone' });
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal(['phone']);
    expect(uow.sessions.ended).to.deep.equal([]);
    expect(uow.events).to.deep.equal([]);
  });
});
