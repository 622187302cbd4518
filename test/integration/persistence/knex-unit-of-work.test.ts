import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { toDate } from '../../../src/adapters/persistence/db.js';
import { KnexSessionStore } from '../../../src/adapters/persistence/knex-session-store.js';
import { KnexUnitOfWork } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { ObjectionUserRepository } from '../../../src/adapters/persistence/objection-user-repository.js';
import * as events from '../../../src/domain/events.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';

const ids = new UuidIdGenerator();
const NOW = new Date('2025-01-02T03:04:05.678Z');
const stamp = (): events.EventStamp => ({ id: ids.next(), at: NOW });

function aUser(name: string, passwordHash = `$2b$04$${'h'.repeat(53)}`): User {
  return User.register({ id: ids.next(), username: parseUsername(name), role: 'user', passwordHash, now: NOW });
}

/** MySQL hands a JSON column back parsed (MariaDB too, through mysql2), SQLite as text. */
const parsed = (payload: unknown): unknown => (typeof payload === 'string' ? JSON.parse(payload) : payload);

function unitOfWorkCases(database: string, open: OpenDb): void {
  describe(`KnexUnitOfWork on ${database}`, function () {
    let db: Knex, uow: KnexUnitOfWork;
    databaseSuite(open, (given) => {
      db = given;
      uow = new KnexUnitOfWork(db);
    });
    beforeEach(async () => {
      await db('sessions').delete();
      await db('outbox').delete();
      await db('users').delete();
    });

    it('names the outbox columns as Debezium’s outbox event router reads them', async () => {
      for (const column of ['id', 'aggregatetype', 'aggregateid', 'type', 'payload', 'seq', 'created_at', 'published_at']) {
        expect(await db.schema.hasColumn('outbox', column), column).to.equal(true);
      }
    });

    it('commits the user and its outbox row when the work resolves', async () => {
      const ada = aUser('ada');
      const event = events.userCreated(ada, null, stamp());
      const result = await uow.run(async ({ users, outbox }) => {
        await users.add(ada);
        await outbox.add(event);
        return 'done';
      });
      expect(result).to.equal('done');
      expect((await new ObjectionUserRepository(db).findById(ada.id))?.toSnapshot()).to.deep.equal(ada.toSnapshot());
      const rows = await db('outbox');
      expect(rows).to.have.length(1);
      const { id, aggregatetype, aggregateid, type, payload, createdAt, publishedAt } = rows[0];
      expect({ id, aggregatetype, aggregateid, type }).to.deep.equal({
        id: event.id,
        aggregatetype: 'user',
        aggregateid: ada.id,
        type: 'user.created',
      });
      expect(parsed(payload)).to.deep.equal({ userId: ada.id, username: 'ada', role: 'user', createdBy: null, email: null });
      expect(toDate(createdAt)).to.deep.equal(NOW);
      expect(publishedAt).to.equal(null);
    });

    it('numbers outbox rows with an increasing seq in insert order', async () => {
      const bob = aUser('bob');
      const written: events.DomainEvent[] = [events.userCreated(bob, null, stamp()), events.loggedIn(bob, stamp())];
      await uow.run(async ({ users, outbox }) => {
        await users.add(bob);
        for (const event of written) await outbox.add(event);
      });
      written.push(events.passwordChanged(bob, bob.id, stamp()));
      await uow.run(({ outbox }) => outbox.add(written[2]!));
      const rows = await db('outbox').orderBy('seq');
      expect(rows.map((r) => r.id)).to.deep.equal(written.map((e) => e.id));
      const seqs = rows.map((r) => Number(r.seq));
      expect(seqs[0]).to.be.below(seqs[1]!);
      expect(seqs[1]).to.be.below(seqs[2]!);
    });

    it('rolls back the user, its outbox row and the sessions it ended when the work throws', async () => {
      const bob = aUser('bob');
      await new ObjectionUserRepository(db).add(bob);
      const store = new KnexSessionStore(db, 3_600_000);
      await store.create('bobs-session', { userId: bob.id }, 600_000);
      const carol = aUser('carol');
      const boom = new Error('boom');
      const error = await uow
        .run(async ({ users, outbox, sessions }) => {
          await users.add(carol);
          await outbox.add(events.userCreated(carol, null, stamp()));
          await sessions.endAllOf(bob.id);
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(error).to.equal(boom);
      expect(await db('users').where({ id: carol.id })).to.be.empty;
      expect(await db('outbox')).to.be.empty;
      expect(await store.load('bobs-session')).to.deep.equal({ userId: bob.id });
    });

    it('never writes the password hash to the outbox, whatever the event', async () => {
      const hash = `$2b$04$SecretHashMaterial${'x'.repeat(35)}`; // 60 characters, like any bcrypt hash
      const erin = aUser('erin', hash);
      const from = erin.role;
      await uow.run(async ({ users, outbox }) => {
        await users.add(erin);
        await outbox.add(events.userCreated(erin, null, stamp()));
        await outbox.add(events.loggedIn(erin, stamp()));
        erin.changePassword(hash, NOW);
        await outbox.add(events.passwordChanged(erin, erin.id, stamp()));
        erin.changeRole('admin', NOW);
        await outbox.add(events.roleChanged(erin, from, erin.id, stamp()));
        await outbox.add(events.userDeleted(erin, erin.id, stamp()));
      });
      const rows = await db('outbox');
      expect(rows).to.have.length(5);
      for (const row of rows) {
        const text = JSON.stringify({ ...row, payload: parsed(row.payload) });
        expect(text, row.type).not.to.include(hash);
        expect(text, row.type).not.to.include('SecretHashMaterial');
      }
    });
  });
}

unitOfWorkCases('MySQL', onMySql);
unitOfWorkCases('SQLite', onSqlite);
