import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { KnexUnitOfWork } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { ObjectionUserRepository } from '../../../src/adapters/persistence/objection-user-repository.js';
import { parseEmailAddress } from '../../../src/domain/email-address.js';
import { EmailTaken, UsernameTaken } from '../../../src/domain/errors.js';
import type { Role } from '../../../src/domain/role.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';

const ids = new UuidIdGenerator();
const HASH = `$2b$04$${'h'.repeat(53)}`; // bcrypt's modular crypt format: 60 characters
const CREATED = new Date('2025-01-02T03:04:05.678Z');

function aUser(name: string, role: Role = 'user', id = ids.next()): User {
  return User.register({ id, username: parseUsername(name), role, passwordHash: HASH, now: CREATED });
}

/** The repository's contract, run on each database the service supports. */
function userRepositoryCases(database: string, open: OpenDb): void {
  describe(`ObjectionUserRepository on ${database}`, function () {
    let db: Knex, users: ObjectionUserRepository;
    databaseSuite(open, (given) => {
      db = given;
      users = new ObjectionUserRepository(db);
    });
    beforeEach(async () => {
      await db('sessions').delete();
      await db('outbox').delete();
      await db('users').delete();
    });

    it('reads back every field by id and by username, with lastLoginAt null', async () => {
      const ada = aUser('ada', 'admin');
      await users.add(ada);
      const byId = await users.findById(ada.id);
      const byName = await users.findByUsername(parseUsername('ada'));
      expect(byId?.toSnapshot()).to.deep.equal(ada.toSnapshot());
      expect(byName?.toSnapshot()).to.deep.equal(ada.toSnapshot());
      expect(byId?.toSnapshot().createdAt).to.be.instanceOf(Date);
      expect(byId?.toSnapshot().updatedAt).to.be.instanceOf(Date);
      expect(byId?.toSnapshot().lastLoginAt).to.equal(null);
    });

    it('reads back a lastLoginAt that is set, as a Date to the millisecond', async () => {
      const bob = aUser('bob');
      bob.recordLogin(new Date('2025-03-04T05:06:07.891Z'));
      await users.add(bob);
      const found = (await users.findById(bob.id))!.toSnapshot();
      expect(found.lastLoginAt).to.be.instanceOf(Date);
      expect(found).to.deep.equal(bob.toSnapshot());
    });

    it('reads a user by id outside a transaction (a prepared statement) exactly as objection does inside one', async () => {
      const full = User.register({
        id: ids.next(),
        username: parseUsername('frank'),
        role: 'admin',
        passwordHash: HASH,
        now: CREATED,
        email: parseEmailAddress('frank@example.com'),
      });
      full.verifyEmail(parseEmailAddress('frank@example.com'), new Date('2025-02-03T04:05:06.789Z'));
      full.recordLogin(new Date('2025-03-04T05:06:07.891Z'));
      full.changeStatus('disabled', 'left the team', new Date('2025-04-05T06:07:08.912Z'));
      const bare = aUser('grace');
      for (const user of [full, bare]) {
        await users.add(user);
        const outside = (await users.findById(user.id))?.toSnapshot();
        const inside = await db.transaction(async (trx) => (await new ObjectionUserRepository(trx).findById(user.id))?.toSnapshot());
        expect(outside).to.deep.equal(user.toSnapshot());
        expect(outside).to.deep.equal(inside);
      }
      // A disabled account is still found (the caller decides what to do with it); a deleted one is not.
      expect((await users.findById(full.id))?.isActive).to.equal(false);
      await users.remove(full.id);
      expect(await users.findById(full.id)).to.equal(undefined);
    });

    it('finds nothing for an unknown id or username', async () => {
      expect(await users.findById(ids.next())).to.equal(undefined);
      expect(await users.findByUsername(parseUsername('nobody'))).to.equal(undefined);
    });

    it('refuses a second user with the same lower-case username, keeping the first', async () => {
      const first = aUser('ada');
      await users.add(first);
      const error = await users.add(aUser('ADA')).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UsernameTaken);
      // Decided by the unique index: the database's refusal rides along as the cause.
      expect((error as UsernameTaken).cause).to.exist;
      const rows = await db('users').where({ username: 'ada' });
      expect(rows.map((r) => r.id)).to.deep.equal([first.id]);
    });

    it('stores an address, finds by it, and keeps it unique: EmailTaken on add and on update, UsernameTaken still for names', async () => {
      const ada = User.register({
        id: ids.next(),
        username: parseUsername('ada'),
        role: 'user',
        passwordHash: HASH,
        now: CREATED,
        email: parseEmailAddress('Ada@Example.com'),
      });
      await users.add(ada);
      const found = (await users.findByEmail(parseEmailAddress('ada@example.com')))!;
      expect(found.toSnapshot()).to.deep.equal(ada.toSnapshot());
      expect(found.verifyEmail(parseEmailAddress('ada@example.com'), CREATED)).to.equal(true);
      await users.update(found);
      expect((await users.findById(ada.id))!.toSnapshot()).to.include({ email: 'ada@example.com', emailVerified: true });

      const twin = User.register({
        id: ids.next(),
        username: parseUsername('bob'),
        role: 'user',
        passwordHash: HASH,
        now: CREATED,
        email: parseEmailAddress('ADA@example.com'),
      });
      expect(await users.add(twin).catch((e: unknown) => e)).to.be.instanceOf(EmailTaken);
      const sameName = User.register({
        id: ids.next(),
        username: parseUsername('ada'),
        role: 'user',
        passwordHash: HASH,
        now: CREATED,
        email: parseEmailAddress('other@example.com'),
      });
      expect(await users.add(sameName).catch((e: unknown) => e)).to.be.instanceOf(UsernameTaken);

      const carol = aUser('carol');
      await users.add(carol);
      carol.changeEmail(parseEmailAddress('ada@example.com'), CREATED);
      expect(await users.update(carol).catch((e: unknown) => e)).to.be.instanceOf(EmailTaken);
      expect((await users.findById(carol.id))!.email).to.equal(null);
    });

    it('persists a changed role, password hash, updatedAt and lastLoginAt', async () => {
      const carol = aUser('carol');
      await users.add(carol);
      const loaded = (await users.findById(carol.id))!;
      loaded.changeRole('admin', new Date('2025-02-01T00:00:00.001Z'));
      loaded.changePassword(`$2b$04$${'n'.repeat(53)}`, new Date('2025-02-02T00:00:00.002Z'));
      loaded.recordLogin(new Date('2025-02-03T00:00:00.003Z'));
      await users.update(loaded);
      const reread = (await users.findById(carol.id))!.toSnapshot();
      expect(reread).to.deep.equal({
        ...carol.toSnapshot(),
        role: 'admin',
        passwordHash: `$2b$04$${'n'.repeat(53)}`,
        updatedAt: new Date('2025-02-02T00:00:00.002Z'),
        lastLoginAt: new Date('2025-02-03T00:00:00.003Z'),
      });
    });

    it('removes a user and only that user', async () => {
      const [dave, erin] = [aUser('dave'), aUser('erin')];
      await users.add(dave);
      await users.add(erin);
      await users.remove(dave.id);
      expect(await users.findById(dave.id)).to.equal(undefined);
      expect(await users.findByUsername(parseUsername('dave'))).to.equal(undefined);
      expect((await users.findById(erin.id))?.username).to.equal('erin');
    });

    it('lists in pages by id, with a cursor to the next page and null on the last', async () => {
      const all = ['user1', 'user2', 'user3', 'user4', 'user5'].map((name) => aUser(name));
      for (const user of [...all].reverse()) await users.add(user); // insertion order is not the listing order
      const sortedIds = all.map((u) => u.id).sort();
      const first = await users.list({ limit: 2 });
      const second = await users.list({ limit: 2, after: first.nextCursor! });
      const last = await users.list({ limit: 2, after: second.nextCursor! });
      expect(first.users.map((u) => u.id)).to.deep.equal(sortedIds.slice(0, 2));
      expect(first.nextCursor).to.equal(sortedIds[1]);
      expect(second.users.map((u) => u.id)).to.deep.equal(sortedIds.slice(2, 4));
      expect(second.nextCursor).to.equal(sortedIds[3]);
      expect(last.users.map((u) => u.id)).to.deep.equal(sortedIds.slice(4));
      expect(last.nextCursor).to.equal(null);
      expect(last.users[0]?.toSnapshot()).to.deep.equal(all.find((u) => u.id === sortedIds[4])?.toSnapshot());
    });

    it('returns null as the cursor when the last page is exactly full, and an empty page when none are left', async () => {
      const all = ['user1', 'user2'].map((name) => aUser(name));
      for (const user of all) await users.add(user);
      const page = await users.list({ limit: 2 });
      expect(page.users).to.have.length(2);
      expect(page.nextCursor).to.equal(null);
      const beyond = await users.list({ limit: 2, after: page.users[1]!.id });
      expect(beyond).to.deep.equal({ users: [], nextCursor: null });
    });

    it('searches by the start of the username or the address, pages the matches by id, and takes % _ \\ literally', async () => {
      const withEmail = (name: string, email: string | null) =>
        User.register({
          id: ids.next(),
          username: parseUsername(name),
          role: 'user',
          passwordHash: HASH,
          now: CREATED,
          ...(email && { email: parseEmailAddress(email) }),
        });
      const made = [
        withEmail('ada', 'lovelace@example.com'),
        withEmail('adam', null),
        withEmail('bob', 'ada.b@example.com'),
        withEmail('eve', 'eve@example.com'),
        withEmail('madam', 'm@example.com'), // contains "ada", does not start with it
        withEmail('a_x', null),
        withEmail('abx', null), // what a_x would match were _ a wildcard
        withEmail('pct', 'a%z@example.com'),
        withEmail('pcz', 'abz@example.com'), // what a%z would match were % a wildcard
      ];
      for (const user of [...made].reverse()) await users.add(user);
      const idOf = (name: string) => made.find((u) => u.username === name)!.id;
      const names = async (prefix: string, limit = 50) => (await users.list({ limit, prefix })).users.map((u) => u.username);

      expect(await names('ada')).to.have.members(['ada', 'adam', 'bob']);
      expect(await names('lovelace@')).to.deep.equal(['ada']);
      expect(await names('a_')).to.deep.equal(['a_x']);
      expect(await names('a%')).to.deep.equal(['pct']);
      expect(await names('a\\')).to.deep.equal([]);
      expect(await names('zzz')).to.deep.equal([]);

      const expected = ['ada', 'adam', 'bob'].map(idOf).sort();
      const first = await users.list({ limit: 2, prefix: 'ada' });
      expect(first.users.map((u) => u.id)).to.deep.equal(expected.slice(0, 2));
      expect(first.nextCursor).to.equal(expected[1]);
      const second = await users.list({ limit: 2, prefix: 'ada', after: first.nextCursor! });
      expect(second.users.map((u) => u.id)).to.deep.equal(expected.slice(2));
      expect(second.nextCursor).to.equal(null);
    });

    it('counts the admins in lockAdmins', async () => {
      for (const [name, role] of [
        ['admin1', 'admin'],
        ['plain', 'user'],
        ['admin2', 'admin'],
      ] as const) {
        await users.add(aUser(name, role));
      }
      expect(await new KnexUnitOfWork(db).run(({ users: inTx }) => inTx.lockAdmins())).to.equal(2);
    });
  });
}

userRepositoryCases('MySQL', onMySql);
userRepositoryCases('SQLite', onSqlite);
