import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { KnexUnitOfWork } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { ChangeRole } from '../../../src/application/accounts/change-role.js';
import { OPERATOR } from '../../../src/domain/access-policy.js';
import { LastAdmin } from '../../../src/domain/errors.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql } from '../../support/test-database.js';

describe('KnexUnitOfWork on MySQL: deadlocks', function () {
  let db: Knex;
  databaseSuite(onMySql, (given) => void (db = given));

  const user = (id: string, name: string) =>
    User.register({ id, username: parseUsername(name), role: 'user', passwordHash: 'x'.repeat(60), now: new Date() });

  it('runs the transaction the database chose as a deadlock victim again, so both changes land', async () => {
    const a = user('01900000-0000-7000-8000-00000000000a', 'alpha');
    const b = user('01900000-0000-7000-8000-00000000000b', 'bravo');
    const uow = new KnexUnitOfWork(db);
    await uow.run(async ({ users }) => {
      await users.add(a);
      await users.add(b);
    });

    // Each transaction locks one row, waits until the other has locked its row too, then asks for the other's:
    // a deadlock on the first attempt, which MySQL breaks by rolling one back.
    let attempts = 0;
    let locked = 0;
    const bothLocked = () =>
      new Promise<void>((resolve) => {
        const check = () => (locked >= 2 ? resolve() : setTimeout(check, 5));
        check();
      });
    const crossing = (first: User, second: User, role: 'admin' | 'user') =>
      uow.run(async ({ users }) => {
        attempts += 1;
        const one = (await users.findById(first.id))!;
        one.changeRole(role, new Date());
        await users.update(one);
        locked += 1;
        await bothLocked();
        const two = (await users.findById(second.id))!;
        two.changeRole(role, new Date());
        await users.update(two);
      });

    const results = await Promise.allSettled([crossing(a, b, 'admin'), crossing(b, a, 'admin')]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    expect(attempts, 'one of the two ran again').to.equal(3);
    const roles = (await db('users').select('role')).map((r) => r.role);
    expect(roles).to.deep.equal(['admin', 'admin']);
  });
});

describe('ChangeRole on MySQL under concurrent promotions and demotions', function () {
  let db: Knex;
  databaseSuite(onMySql, (given) => void (db = given));

  it('answers every change (no deadlock escapes as an error) and never leaves fewer than one admin', async () => {
    const uow = new KnexUnitOfWork(db);
    const ids = new UuidIdGenerator();
    const people = Array.from({ length: 10 }, (_, i) =>
      User.register({
        id: ids.next(),
        username: parseUsername(`person${i}`),
        role: i < 3 ? 'admin' : 'user',
        passwordHash: 'x'.repeat(60),
        now: new Date(),
      }),
    );
    await uow.run(async ({ users }) => {
      for (const p of people) await users.add(p);
    });
    const changeRole = new ChangeRole(uow, ids, { now: () => new Date() });
    const requests = Array.from({ length: 60 }, (_, i) =>
      changeRole.execute({ userId: people[i % people.length]!.id, role: i % 3 === 0 ? 'user' : 'admin' }, OPERATOR),
    );
    const results = await Promise.allSettled(requests);
    const unexpected = results.flatMap((r) => (r.status === 'rejected' && !(r.reason instanceof LastAdmin) ? [String(r.reason)] : []));
    expect(unexpected).to.deep.equal([]);
    const [row] = await db('users').where({ role: 'admin' }).count({ admins: '*' });
    expect(Number(row?.admins)).to.be.at.least(1);
  });
});
