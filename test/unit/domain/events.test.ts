import { expect } from 'chai';
import { loggedIn, passwordChanged, roleChanged, userCreated, userDeleted, type DomainEvent } from '../../../src/domain/events.js';
import { aUser } from '../../builders.js';

const at = new Date('2025-03-04T05:06:07Z');
const stamp = { id: 'evt-1', at };

describe('events', () => {
  const user = aUser({ id: 'u1', username: 'ada', role: 'admin', passwordHash: 'hashed:s3cret-passw0rd' });

  const envelope = (type: string) => ({ id: 'evt-1', type, aggregateType: 'user', aggregateId: 'u1', occurredAt: at });

  it('user.created names the user, its role and its creator', () => {
    expect(userCreated(user, 'a9', stamp)).to.deep.equal({
      ...envelope('user.created'),
      payload: { userId: 'u1', username: 'ada', role: 'admin', createdBy: 'a9', email: null },
    });
    expect(userCreated(user, null, stamp).payload.createdBy).to.equal(null);
  });

  it('user.password_changed names who changed it', () => {
    expect(passwordChanged(user, 'a9', stamp)).to.deep.equal({
      ...envelope('user.password_changed'),
      payload: { userId: 'u1', changedBy: 'a9', reason: 'change' },
    });
    expect(passwordChanged(user, 'u1', stamp, 'reset').payload.reason).to.equal('reset');
  });

  it('user.role_changed carries the old and the current role', () => {
    const demoted = aUser({ id: 'u1', role: 'user' });
    expect(roleChanged(demoted, 'admin', 'a9', stamp)).to.deep.equal({
      ...envelope('user.role_changed'),
      payload: { userId: 'u1', from: 'admin', to: 'user', changedBy: 'a9' },
    });
  });

  it('user.deleted keeps the username, which is gone from the table', () => {
    expect(userDeleted(user, 'a9', stamp)).to.deep.equal({
      ...envelope('user.deleted'),
      payload: { userId: 'u1', username: 'ada', deletedBy: 'a9' },
    });
  });

  it('user.logged_in names only the user', () => {
    expect(loggedIn(user, stamp)).to.deep.equal({ ...envelope('user.logged_in'), payload: { userId: 'u1' } });
  });

  it('never carries the hash', () => {
    const all: DomainEvent[] = [
      userCreated(user, 'a9', stamp),
      passwordChanged(user, 'a9', stamp),
      roleChanged(user, 'user', 'a9', stamp),
      userDeleted(user, 'a9', stamp),
      loggedIn(user, stamp),
    ];
    const serialized = JSON.stringify(all);
    expect(serialized).not.to.include('s3cret-passw0rd');
    expect(serialized).not.to.include(user.passwordHash);
  });
});
