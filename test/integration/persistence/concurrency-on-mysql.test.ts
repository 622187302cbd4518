import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { KnexUnitOfWork } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { ChangeRole } from '../../../src/application/accounts/change-role.js';
import { DeleteUser } from '../../../src/application/accounts/delete-user.js';
import type { Clock, TxScope, UnitOfWork } from '../../../src/application/ports.js';
import { LastAdmin, UsernameTaken } from '../../../src/domain/errors.js';
import type { Role } from '../../../src/domain/role.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql } from '../../support/test-database.js';

const ids = new UuidIdGenerator();
const clock: Clock = { now: () => new Date() };
const ROUNDS = 5;

/**
 * Opens every party's transaction before letting any of them work, so the races below overlap for certain
 * instead of by luck: without row locks, each transaction would count the admins before the other commits.
 */
function inLockstep(uow: UnitOfWork, parties: number): UnitOfWork {
  let arrived = 0;
  let release!: () => void;
  const allIn = new Promise<void>((resolve) => (release = resolve));
  return {
    run<T>(work: (tx: TxScope) => Promise<T>): Promise<T> {
      return uow.run(async (tx) => {
        if (++arrived === parties) release();
        await allIn;
        return work(tx);
      });
    },
  };
}

function aUser(name: string, role: Role): User {
  return User.register({ id: ids.next(), username: parseUsername(name), role, passwordHash: 'x'.repeat(60), now: new Date() });
}

function outcome(results: PromiseSettledResult<unknown>[]): { succeeded: number; failures: unknown[] } {
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  return { succeeded: results.length - failures.length, failures };
}

describe('Concurrent unit of work on MySQL', function () {
  let db: Knex;
  databaseSuite(onMySql, (given) => void (db = given));

  /** A fresh table with two admins and a plain user. */
  async function twoAdmins(): Promise<[User, User]> {
    await db('sessions').delete();
    await db('outbox').delete();
    await db('users').delete();
    const [a, b, plain] = [aUser('admin-a', 'admin'), aUser('admin-b', 'admin'), aUser('plain', 'user')];
    await new KnexUnitOfWork(db).run(async ({ users }) => {
      for (const user of [a, b, plain]) await users.add(user);
    });
    return [a, b];
  }

  it('lets exactly one of two simultaneous demotions of the only two admins through', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const [a, b] = await twoAdmins();
      const changeRole = new ChangeRole(inLockstep(new KnexUnitOfWork(db), 2), ids, clock);
      const { succeeded, failures } = outcome(
        await Promise.allSettled([
          changeRole.execute({ userId: b.id, role: 'user' }, { userId: a.id, role: 'admin' }),
          changeRole.execute({ userId: a.id, role: 'user' }, { userId: b.id, role: 'admin' }),
        ]),
      );
      expect(succeeded, `round ${round}`).to.equal(1);
      expect(failures[0], `round ${round}`).to.be.instanceOf(LastAdmin);
      expect(await db('users').where({ role: 'admin' }), `round ${round}`).to.have.length(1);
      expect(
        (await db('outbox')).map((r) => r.type),
        `round ${round}`,
      ).to.deep.equal(['user.role_changed']);
    }
  });

  it('never leaves zero admins when admin A deletes admin B while B demotes A', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const [a, b] = await twoAdmins();
      const uow = inLockstep(new KnexUnitOfWork(db), 2);
      const { succeeded, failures } = outcome(
        await Promise.allSettled([
          new DeleteUser(uow, ids, clock).execute({ userId: b.id }, { userId: a.id, role: 'admin' }),
          new ChangeRole(uow, ids, clock).execute({ userId: a.id, role: 'user' }, { userId: b.id, role: 'admin' }),
        ]),
      );
      expect(succeeded, `round ${round}`).to.equal(1);
      expect(failures[0], `round ${round}`).to.be.instanceOf(LastAdmin);
      expect(await db('users').where({ role: 'admin' }), `round ${round}`).to.have.length(1);
    }
  });

  it('lets exactly one of many simultaneous adds of one username through', async () => {
    const parties = 8; // below the pool's 10 connections: every transaction must be open at once
    for (let round = 1; round <= ROUNDS; round++) {
      await db('users').delete();
      const uow = inLockstep(new KnexUnitOfWork(db), parties);
      const contenders = Array.from({ length: parties }, () => aUser('ada', 'user'));
      const results = await Promise.allSettled(contenders.map((user) => uow.run(({ users }) => users.add(user))));
      const { succeeded, failures } = outcome(results);
      expect(succeeded, `round ${round}`).to.equal(1);
      for (const failure of failures) expect(failure, `round ${round}`).to.be.instanceOf(UsernameTaken);
      const winner = contenders[results.findIndex((r) => r.status === 'fulfilled')]!;
      expect(
        (await db('users').where({ username: 'ada' })).map((r) => r.id),
        `round ${round}`,
      ).to.deep.equal([winner.id]);
    }
  });
});
