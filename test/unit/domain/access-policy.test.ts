import { expect } from 'chai';
import {
  assertAnotherAdminRemains,
  assertMayChangeRole,
  assertMayCreate,
  assertMayDelete,
  assertMayList,
  assertMayRead,
  mustConfirmPasswordChange,
  type Caller,
} from '../../../src/domain/access-policy.js';
import { CannotDeleteSelf, Forbidden, LastAdmin } from '../../../src/domain/errors.js';

const user: Caller = { userId: 'u1', role: 'user' };
const admin: Caller = { userId: 'a1', role: 'admin' };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('access policy', () => {
  describe('assertMayCreate', () => {
    it('lets anyone create a user', () => {
      for (const creator of ['anonymous', 'system', user, admin] as const) {
        expect(thrown(() => assertMayCreate(creator, 'user'))).to.equal(undefined);
      }
    });

    it('lets an admin or the system create an admin', () => {
      expect(thrown(() => assertMayCreate(admin, 'admin'))).to.equal(undefined);
      expect(thrown(() => assertMayCreate('system', 'admin'))).to.equal(undefined);
    });

    it('forbids anonymous callers and plain users to create an admin, naming the field role', () => {
      for (const creator of ['anonymous', user] as const) {
        const err = thrown(() => assertMayCreate(creator, 'admin'));
        expect(err).to.be.instanceOf(Forbidden);
        expect((err as Forbidden).field).to.equal('role');
      }
    });
  });

  describe('assertMayRead', () => {
    it('lets a user read itself and forbids any other id', () => {
      expect(thrown(() => assertMayRead(user, 'u1'))).to.equal(undefined);
      expect(thrown(() => assertMayRead(user, 'u2'))).to.be.instanceOf(Forbidden);
      expect(thrown(() => assertMayRead(user, 'no-such-id'))).to.be.instanceOf(Forbidden);
    });

    it('lets an admin read anyone', () => {
      expect(thrown(() => assertMayRead(admin, 'u1'))).to.equal(undefined);
      expect(thrown(() => assertMayRead(admin, 'a1'))).to.equal(undefined);
    });
  });

  it('lets only an admin list', () => {
    expect(thrown(() => assertMayList(admin))).to.equal(undefined);
    expect(thrown(() => assertMayList(user))).to.be.instanceOf(Forbidden);
  });

  describe('mustConfirmPasswordChange', () => {
    it('requires the current password from anyone changing its own, admins included', () => {
      expect(mustConfirmPasswordChange(user, 'u1')).to.equal(true);
      expect(mustConfirmPasswordChange(admin, 'a1')).to.equal(true);
    });

    it('lets an admin reset another account without it', () => {
      expect(mustConfirmPasswordChange(admin, 'u1')).to.equal(false);
    });

    it("forbids a user to change another's password", () => {
      expect(thrown(() => mustConfirmPasswordChange(user, 'u2'))).to.be.instanceOf(Forbidden);
    });
  });

  it('lets only an admin change roles', () => {
    expect(thrown(() => assertMayChangeRole(admin))).to.equal(undefined);
    expect(thrown(() => assertMayChangeRole(user))).to.be.instanceOf(Forbidden);
  });

  describe('assertMayDelete', () => {
    it('lets an admin delete another account', () => {
      expect(thrown(() => assertMayDelete(admin, 'u1'))).to.equal(undefined);
    });

    it('refuses an admin deleting itself', () => {
      expect(thrown(() => assertMayDelete(admin, 'a1'))).to.be.instanceOf(CannotDeleteSelf);
    });

    it('forbids users, even deleting themselves', () => {
      expect(thrown(() => assertMayDelete(user, 'u2'))).to.be.instanceOf(Forbidden);
      expect(thrown(() => assertMayDelete(user, 'u1'))).to.be.instanceOf(Forbidden);
    });
  });

  it('refuses to lose the last admin', () => {
    expect(thrown(() => assertAnotherAdminRemains(2))).to.equal(undefined);
    expect(thrown(() => assertAnotherAdminRemains(1))).to.be.instanceOf(LastAdmin);
    expect(thrown(() => assertAnotherAdminRemains(0))).to.be.instanceOf(LastAdmin);
  });
});
