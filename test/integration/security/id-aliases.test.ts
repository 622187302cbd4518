import { expect } from 'chai';
import request from 'supertest';
import { ObjectionUserRepository } from '../../../src/adapters/persistence/objection-user-repository.js';
import { onMySqlOnly } from '../../support/test-database.js';
import { createAdmin, expectProblem, httpSuite, logIn, PASSWORD, register } from '../http/helpers.js';

/** Spellings of an id that MySQL's and MariaDB's default collations take for the id itself. */
function aliasesOf(id: string): Record<string, string> {
  const fullWidth = id.replace(/[0-9a-f]/, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  return {
    'upper case': id.toUpperCase(),
    'one letter in upper case': id.replace(/[a-f]/, (c) => c.toUpperCase()),
    'a trailing space': `${id} `,
    'a trailing NUL': `${id}\u0000`,
    'a full-width character': fullWidth,
  };
}

const path = (alias: string) => `/users/${encodeURIComponent(alias)}`;

describe('user ids compare exactly', function () {
  this.timeout(30_000);
  const suite = httpSuite();

  it('the repository finds no user by an alias of its id (on MySQL: binary, no-pad collation on the id columns)', async () => {
    const user = await register(suite.app);
    const repository = new ObjectionUserRepository(suite.db);
    expect((await repository.findById(user.id))?.id).to.equal(user.id);
    for (const [what, alias] of Object.entries(aliasesOf(user.id))) {
      expect(await repository.findById(alias), what).to.equal(undefined);
    }
    // The session rows follow the user by the same exact comparison.
    const [row] = await suite.db('sessions').where('userId', user.id.toUpperCase()).count({ n: '*' });
    expect(Number(row?.n)).to.equal(0);
  });

  it('an admin cannot delete itself through an alias of its own id', async () => {
    const admin = await createAdmin(suite);
    await createAdmin(suite); // another admin, so the last-admin rule is not what refuses
    const agent = await logIn(suite.app, admin);
    for (const [what, alias] of Object.entries(aliasesOf(admin.id))) {
      const body = expectProblem(await agent.delete(path(alias)), 404, 'user-not-found');
      expect(body.code, what).to.equal('user-not-found');
    }
    expect(await suite.db('users').where({ id: admin.id })).to.have.length(1);
    expectProblem(await agent.delete(path(admin.id)), 403, 'cannot-delete-self');
  });

  it('an admin cannot change its own password without the current one through an alias', async () => {
    const admin = await createAdmin(suite);
    const agent = await logIn(suite.app, admin);
    const [before] = await suite.db('users').where({ id: admin.id }).select('passwordHash');
    for (const alias of Object.values(aliasesOf(admin.id))) {
      expectProblem(await agent.put(`${path(alias)}/password`).send({ newPassword: 'a brand new passphrase' }), 404, 'user-not-found');
    }
    const [after] = await suite.db('users').where({ id: admin.id }).select('passwordHash');
    expect(after.passwordHash).to.equal(before.passwordHash);
    await logIn(suite.app, admin); // the old password still works
  });

  it('GET and PUT role answer an alias with the 404 of an unknown id, for admins and for the owner', async () => {
    const admin = await createAdmin(suite);
    const user = await register(suite.app);
    const adminAgent = await logIn(suite.app, admin);
    const userAgent = await logIn(suite.app, { username: user.username, password: PASSWORD });
    for (const alias of Object.values(aliasesOf(user.id))) {
      expectProblem(await adminAgent.get(path(alias)), 404, 'user-not-found');
      expectProblem(await userAgent.get(path(alias)), 404, 'user-not-found');
      expectProblem(await adminAgent.put(`${path(alias)}/role`).send({ role: 'admin' }), 404, 'user-not-found');
      expectProblem(await adminAgent.delete(path(alias)), 404, 'user-not-found');
    }
    for (const alias of Object.values(aliasesOf(admin.id))) {
      expectProblem(await adminAgent.put(`${path(alias)}/role`).send({ role: 'user' }), 404, 'user-not-found');
    }
    const [row] = await suite.db('users').where({ id: user.id }).select('role');
    expect(row.role).to.equal('user');
    expect((await suite.db('users').where({ id: admin.id }).first('role')).role).to.equal('admin');
    await userAgent.get(path(user.id)).expect(200);
  });

  it('ids that are not UUIDs at all get the same 404, and without a session still 401', async () => {
    const admin = await createAdmin(suite);
    const agent = await logIn(suite.app, admin);
    for (const junk of ['not-a-uuid', '1', `${admin.id}x`, admin.id.replaceAll('-', '')]) {
      expectProblem(await agent.get(path(junk)), 404, 'user-not-found');
      expectProblem(await request(suite.app.callback()).delete(path(junk)), 401, 'not-authenticated');
    }
  });
});

describe('migration 004 (exact ids) on MySQL', function () {
  this.timeout(30_000);
  const suite = httpSuite(onMySqlOnly("it changes MySQL's collation of the id columns"));

  it('goes down to the default collation and up again, keeping the sessions foreign key', async () => {
    const collationOf = async () => {
      const [rows] = (await suite.db.raw(
        "SELECT collation_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'id'",
      )) as [Array<{ c: string }>];
      return rows[0]!.c;
    };
    expect(await collationOf()).to.match(/^utf8mb4_(0900|nopad)_bin$/);
    // Later migrations reference users.id, so 004 is undone by undoing everything after it too.
    const applied = async () => ((await suite.db.migrate.list()) as [Array<{ name: string }>, unknown])[0].map((m) => m.name);
    while ((await applied()).includes('004-exact-ids')) await suite.db.migrate.down();
    expect(await collationOf()).not.to.match(/_bin$/);
    await suite.db.migrate.latest();
    expect(await collationOf()).to.match(/^utf8mb4_(0900|nopad)_bin$/);
    // Deleting a user still deletes its sessions: the foreign key came back with its cascade.
    const user = await register(suite.app);
    await logIn(suite.app, { username: user.username, password: PASSWORD });
    await suite.db('users').where({ id: user.id }).delete();
    expect(await suite.db('sessions').where({ userId: user.id })).to.be.empty;
  });
});
