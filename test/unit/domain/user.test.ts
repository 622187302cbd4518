import { expect } from 'chai';
import { User } from '../../../src/domain/user.js';
import type { Username } from '../../../src/domain/username.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-01-02T00:00:00Z');

const register = () => User.register({ id: 'u1', username: 'ada' as Username, role: 'user', passwordHash: 'h0', now: T0 });

describe('User', () => {
  it('registers with created and updated at now and no login yet', () => {
    expect(register().toSnapshot()).to.deep.equal({
      id: 'u1',
      username: 'ada',
      role: 'user',
      passwordHash: 'h0',
      createdAt: T0,
      updatedAt: T0,
      lastLoginAt: null,
      status: 'active',
      statusReason: null,
      email: null,
      emailVerified: false,
    });
  });

  it('changes its password and records when', () => {
    const user = register();
    user.changePassword('h1', T1);
    expect(user.passwordHash).to.equal('h1');
    expect(user.toSnapshot().updatedAt).to.deep.equal(T1);
    expect(user.toSnapshot().createdAt).to.deep.equal(T0);
  });

  it('changes its role and records when', () => {
    const user = register();
    user.changeRole('admin', T1);
    expect(user.role).to.equal('admin');
    expect(user.isAdmin).to.equal(true);
    expect(user.toSnapshot().updatedAt).to.deep.equal(T1);
  });

  it('records a login without counting it as an update', () => {
    const user = register();
    user.recordLogin(T1);
    expect(user.toSnapshot().lastLoginAt).to.deep.equal(T1);
    expect(user.toSnapshot().updatedAt).to.deep.equal(T0);
  });

  it('is not changed through a snapshot, nor its snapshot through it', () => {
    const snapshot = register().toSnapshot();
    const user = User.restore(snapshot);
    snapshot.role = 'admin';
    expect(user.role).to.equal('user');
    const taken = user.toSnapshot();
    user.changePassword('h1', T1);
    expect(taken.passwordHash).to.equal('h0');
  });
});
