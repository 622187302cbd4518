import { expect } from 'chai';
import { LogOut } from '../../../src/application/log-out.js';
import { InMemorySessions } from '../../fakes.js';

describe('LogOut', () => {
  it('ends the given session and only that one', async () => {
    const sessions = new InMemorySessions();
    sessions.start('ada-id', 'laptop');
    sessions.start('ada-id', 'phone');
    sessions.start('bob-id', 'bob-laptop');

    await new LogOut(sessions).execute({ sessionKey: 'laptop' });

    expect(sessions.isLive('laptop')).to.equal(false);
    expect(sessions.keysOf('ada-id')).to.deep.equal(['phone']);
    expect(sessions.keysOf('bob-id')).to.deep.equal(['bob-laptop']);
  });

  it('does nothing for a session that has already ended', async () => {
    const sessions = new InMemorySessions();
    sessions.start('ada-id', 'phone');
    await new LogOut(sessions).execute({ sessionKey: 'gone' });
    expect(sessions.keysOf('ada-id')).to.deep.equal(['phone']);
    expect(sessions.ended).to.deep.equal([]);
  });
});
