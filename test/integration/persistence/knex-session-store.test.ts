import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { UuidIdGenerator } from '../../../src/adapters/ids/uuid-id-generator.js';
import { KnexSessionStore } from '../../../src/adapters/persistence/knex-session-store.js';
import { KnexSessions } from '../../../src/adapters/persistence/knex-sessions.js';
import { ObjectionUserRepository } from '../../../src/adapters/persistence/objection-user-repository.js';
import { User } from '../../../src/domain/user.js';
import { parseUsername } from '../../../src/domain/username.js';
import { databaseSuite } from '../../support/database-suite.js';
import { onMySql, onSqlite, type OpenDb } from '../../support/test-database.js';

const ids = new UuidIdGenerator();
const MINUTE = 60_000;
const IDLE = 20 * MINUTE;
const ABSOLUTE = 60 * MINUTE;
const T0 = Date.parse('2025-01-02T03:00:00Z');

/** Like the cookie's session id: random, opaque. */
const aKey = (): string => randomBytes(24).toString('base64url');

function sessionStoreCases(database: string, open: OpenDb): void {
  describe(`KnexSessionStore on ${database}`, function () {
    let db: Knex, now: number, store: KnexSessionStore;
    const aUserId = async (name: string): Promise<string> => {
      const username = parseUsername(name);
      const user = User.register({ id: ids.next(), username, role: 'user', passwordHash: 'x'.repeat(60), now: new Date(T0) });
      await new ObjectionUserRepository(db).add(user);
      return user.id;
    };
    databaseSuite(open, (given) => {
      db = given;
      store = new KnexSessionStore(db, ABSOLUTE, () => now);
    });
    beforeEach(async () => {
      now = T0;
      await db('sessions').delete();
      await db('users').delete();
    });

    it('loads what was created', async () => {
      const userId = await aUserId('ada');
      const key = aKey();
      await store.create(key, { userId, theme: 'dark', seen: [1, 2] }, IDLE);
      expect(await store.load(key)).to.deep.equal({ userId, theme: 'dark', seen: [1, 2] });
      await store.create('anonymous', { flash: 'hello' }, IDLE);
      expect(await store.load('anonymous')).to.deep.equal({ flash: 'hello' });
      expect(await store.load(aKey())).to.equal(undefined);
    });

    it('loads a record with its owner, public id and kind, only for its own kind, and nothing for an unknown or ended key', async () => {
      const userId = await aUserId('ada');
      const [cookieKey, tokenKey] = [aKey(), aKey()];
      const [cookieId, tokenId] = [randomUUID(), randomUUID()];
      await store.create(cookieKey, { userId, theme: 'dark' }, IDLE, { publicId: cookieId, type: 'cookie' });
      await store.create(tokenKey, { userId }, IDLE, { publicId: tokenId, type: 'token' });
      expect(await store.loadRecord(cookieKey)).to.deep.equal({
        data: { userId, theme: 'dark' },
        publicId: cookieId,
        userId,
        type: 'cookie',
      });
      expect(await store.loadRecord(tokenKey, 'token')).to.deep.equal({ data: { userId }, publicId: tokenId, userId, type: 'token' });
      expect(await store.loadRecord(tokenKey, 'cookie'), "a token's secret is no cookie").to.equal(undefined);
      expect(await store.loadRecord(cookieKey, 'token'), "a cookie's secret is no token").to.equal(undefined);
      expect(await store.loadRecord(aKey())).to.equal(undefined);
      await store.end(cookieKey);
      expect(await store.loadRecord(cookieKey)).to.equal(undefined);
      now = T0 + ABSOLUTE;
      expect(await store.loadRecord(tokenKey, 'token'), 'once expired').to.equal(undefined);
    });

    it('stores the session under the SHA-256 of its key, and the key nowhere in the row', async () => {
      const key = aKey();
      await store.create(key, { userId: await aUserId('ada') }, IDLE);
      const rows = await db('sessions');
      expect(rows).to.have.length(1);
      expect(rows[0].id).to.equal(createHash('sha256').update(key).digest('hex'));
      expect(JSON.stringify(rows[0])).not.to.include(key);
      expect(await store.load(rows[0].id), 'the stored id is not a usable key').to.equal(undefined);
    });

    it('stops loading a session once it has been idle for the idle time', async () => {
      const key = aKey();
      await store.create(key, {}, IDLE);
      now = T0 + IDLE - 1;
      expect(await store.load(key)).to.deep.equal({});
      now = T0 + IDLE;
      expect(await store.load(key)).to.equal(undefined);
    });

    it('pushes the idle deadline on save, but never the absolute deadline', async () => {
      const key = aKey();
      await store.create(key, { step: 0 }, IDLE);
      for (const step of [1, 2, 3]) {
        now = T0 + step * 15 * MINUTE; // each save comes before the idle deadline the previous one set
        expect(await store.save(key, { step }, IDLE)).to.equal(true);
      }
      // The last save set the idle deadline to 65 minutes, past the absolute one at 60.
      now = T0 + ABSOLUTE - 1;
      expect(await store.load(key)).to.deep.equal({ step: 3 });
      now = T0 + ABSOLUTE;
      expect(await store.load(key)).to.equal(undefined);
    });

    it('does not bring back an ended session on save', async () => {
      const key = aKey();
      await store.create(key, {}, IDLE);
      await store.end(key);
      expect(await store.save(key, { userId: await aUserId('ada') }, IDLE)).to.equal(false);
      expect(await store.save(aKey(), {}, IDLE), 'a session that never existed').to.equal(false);
      expect(await store.load(key)).to.equal(undefined);
      expect(await db('sessions')).to.be.empty;
    });

    it('ends one session and leaves the others', async () => {
      const [ended, kept] = [aKey(), aKey()];
      await store.create(ended, {}, IDLE);
      await store.create(kept, {}, IDLE);
      await store.end(ended);
      expect(await store.load(ended)).to.equal(undefined);
      expect(await store.load(kept)).to.deep.equal({});
    });

    it('ends all sessions of a user, or all but the one to keep, and no one else’s', async () => {
      const [ada, bob] = [await aUserId('ada'), await aUserId('bob')];
      const adas = [aKey(), aKey(), aKey()];
      const ids = adas.map(() => randomUUID());
      for (const [i, key] of adas.entries()) await store.create(key, { userId: ada }, IDLE, { publicId: ids[i] });
      const bobs = aKey();
      await store.create(bobs, { userId: bob }, IDLE);

      expect(await new KnexSessions(db).endAllOf(ada, ids[1])).to.have.members([ids[0], ids[2]]);
      const loaded = await Promise.all(adas.map((key) => store.load(key)));
      expect(loaded).to.deep.equal([undefined, { userId: ada }, undefined]);

      expect(await store.endAllOf(ada)).to.deep.equal([ids[1]]);
      expect(await store.load(adas[1]!)).to.equal(undefined);
      expect(await store.load(bobs)).to.deep.equal({ userId: bob });
    });

    it("lists a user's live sessions newest first, with what the login recorded, and ends one only for its owner", async () => {
      const [ada, bob] = [await aUserId('ada'), await aUserId('bob')];
      const [first, second, expired] = [randomUUID(), randomUUID(), randomUUID()];
      await store.create(aKey(), { userId: ada }, IDLE, { publicId: first, type: 'cookie', ip: '192.0.2.1', userAgent: 'Firefox' });
      now = T0 + 1_000;
      const tokenKey = aKey();
      await store.create(tokenKey, { userId: ada }, IDLE, { publicId: second, type: 'token', ip: '192.0.2.2', userAgent: 'x'.repeat(600) });
      await store.create(aKey(), { userId: ada }, 500, { publicId: expired });
      now = T0 + 2_000;
      const sessions = new KnexSessions(db);
      const listed = await sessions.listOf(ada, new Date(now));
      expect(listed.map((s) => s.id)).to.deep.equal([second, first]);
      expect(listed[0]).to.deep.include({
        userId: ada,
        type: 'token',
        ip: '192.0.2.2',
        createdAt: new Date(T0 + 1_000),
        lastSeenAt: new Date(T0 + 1_000),
      });
      expect(listed[0]!.userAgent).to.have.length(512);
      expect(listed[1]).to.deep.include({ type: 'cookie', ip: '192.0.2.1', userAgent: 'Firefox', expiresAt: new Date(T0 + IDLE) });
      // A token session's secret opens it only as a token, never as a cookie.
      expect(await store.load(tokenKey)).to.equal(undefined);
      expect((await store.loadRecord(tokenKey, 'token'))?.publicId).to.equal(second);
      // Saving records it as seen.
      now = T0 + 5_000;
      await store.save(tokenKey, { userId: ada }, IDLE);
      expect((await sessions.listOf(ada, new Date(now)))[0]!.lastSeenAt).to.deep.equal(new Date(T0 + 5_000));

      expect(await sessions.isLive(ada, first, new Date(now))).to.equal(true);
      expect(await sessions.isLive(bob, first, new Date(now)), "another user's").to.equal(false);
      expect(await sessions.isLive(ada, expired, new Date(now)), 'expired').to.equal(false);
      expect(await sessions.endOne(bob, first), "another user's").to.deep.equal([]);
      expect(await sessions.endOne(ada, first)).to.deep.equal([first]);
      expect(await sessions.endOne(ada, first), 'already ended').to.deep.equal([]);
      expect((await sessions.listOf(ada, new Date(now))).map((s) => s.id)).to.deep.equal([second]);
    });

    it('purges the sessions past either deadline, and only those', async () => {
      const [idleExpired, absoluteExpired, fresh] = [aKey(), aKey(), aKey()];
      await store.create(idleExpired, {}, 10 * MINUTE);
      await store.create(absoluteExpired, {}, 2 * ABSOLUTE); // idle deadline far beyond the absolute one
      now = T0 + 30 * MINUTE;
      await store.create(fresh, {}, ABSOLUTE);
      now = T0 + ABSOLUTE;
      expect(await store.purgeExpired()).to.equal(2);
      const rows = await db('sessions');
      expect(rows.map((r) => r.id)).to.deep.equal([createHash('sha256').update(fresh).digest('hex')]);
      expect(await store.load(fresh)).to.deep.equal({});
    });

    it('deletes the sessions of a deleted user with it', async () => {
      const [ada, bob] = [await aUserId('ada'), await aUserId('bob')];
      const [adas, bobs] = [aKey(), aKey()];
      await store.create(adas, { userId: ada }, IDLE);
      await store.create(bobs, { userId: bob }, IDLE);
      await new ObjectionUserRepository(db).remove(ada);
      expect(await db('sessions').where({ userId: ada })).to.be.empty;
      expect(await store.load(adas)).to.equal(undefined);
      expect(await store.load(bobs)).to.deep.equal({ userId: bob });
    });
  });
}

sessionStoreCases('MySQL', onMySql);
sessionStoreCases('SQLite', onSqlite);
