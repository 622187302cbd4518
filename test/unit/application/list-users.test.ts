import { expect } from 'chai';
import { DEFAULT_PAGE_SIZE, ListUsers, MAX_PAGE_SIZE, MAX_SEARCH } from '../../../src/application/accounts/list-users.js';
import { Forbidden, ValidationFailed } from '../../../src/domain/errors.js';
import { anAdmin, aUser, callerOf } from '../../builders.js';
import { InMemoryUserRepository } from '../../fakes.js';
import { useCases } from '../../support/use-cases.js';

const idOf = (n: number) => `id-${String(n).padStart(3, '0')}`;

/** `count` users, added in a shuffled order so only the id decides the page order. */
async function setup(count: number) {
  const { uow, listUsers } = useCases();
  const admin = anAdmin({ id: idOf(0), username: 'root' });
  await uow.users.add(admin);
  const order = Array.from({ length: count - 1 }, (_, i) => i + 1).sort((a, b) => ((a * 7) % 11) - ((b * 7) % 11));
  for (const n of order) await uow.users.add(aUser({ id: idOf(n), username: `user${n}` }));
  return { listUsers, admin };
}

describe('ListUsers', () => {
  it('is for admins only', async () => {
    const { listUsers } = await setup(3);
    const err = await listUsers.execute({}, callerOf(aUser({ id: idOf(1) }))).catch((e) => e);
    expect(err).to.be.instanceOf(Forbidden);
  });

  it('returns the first page, oldest id first, without hashes', async () => {
    const { listUsers, admin } = await setup(5);
    const page = await listUsers.execute({ limit: 2 }, callerOf(admin));
    expect(page.users.map((u) => u.id)).to.deep.equal([idOf(0), idOf(1)]);
    expect(page.nextCursor).to.equal(idOf(1));
    expect(JSON.stringify(page)).not.to.include('hashed:');
  });

  it('walks every user exactly once, following nextCursor to a null on the last page', async () => {
    const { listUsers, admin } = await setup(7);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listUsers.execute({ limit: 3, after }, callerOf(admin));
      seen.push(...page.users.map((u) => u.id));
      after = page.nextCursor ?? undefined;
      pages += 1;
    } while (after !== undefined && pages < 10);
    expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6].map(idOf));
    expect(pages).to.equal(3);
  });

  it('ends with a null cursor when the last page is exactly full', async () => {
    const { listUsers, admin } = await setup(4);
    const first = await listUsers.execute({ limit: 2 }, callerOf(admin));
    const last = await listUsers.execute({ limit: 2, after: first.nextCursor! }, callerOf(admin));
    expect(last.users.map((u) => u.id)).to.deep.equal([idOf(2), idOf(3)]);
    expect(last.nextCursor).to.equal(null);
  });

  it(`defaults to ${DEFAULT_PAGE_SIZE} a page`, async () => {
    const { listUsers, admin } = await setup(DEFAULT_PAGE_SIZE + 1);
    const page = await listUsers.execute({}, callerOf(admin));
    expect(page.users).to.have.length(DEFAULT_PAGE_SIZE);
    expect(page.nextCursor).to.equal(idOf(DEFAULT_PAGE_SIZE - 1));
  });

  it(`accepts limits 1 and ${MAX_PAGE_SIZE}`, async () => {
    const { listUsers, admin } = await setup(MAX_PAGE_SIZE + 1);
    expect((await listUsers.execute({ limit: 1 }, callerOf(admin))).users).to.have.length(1);
    expect((await listUsers.execute({ limit: MAX_PAGE_SIZE }, callerOf(admin))).users).to.have.length(MAX_PAGE_SIZE);
  });

  it('refuses a limit outside 1..100 or not whole, naming the field', async () => {
    const { listUsers, admin } = await setup(2);
    for (const limit of [0, -1, MAX_PAGE_SIZE + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = await listUsers.execute({ limit }, callerOf(admin)).catch((e) => e);
      expect(err, String(limit)).to.be.instanceOf(ValidationFailed);
      expect(err.field).to.equal('limit');
    }
  });

  it('checks the caller before the limit', async () => {
    const { listUsers } = await setup(2);
    const err = await listUsers.execute({ limit: 0 }, callerOf(aUser())).catch((e) => e);
    expect(err).to.be.instanceOf(Forbidden);
  });

  describe('with q', () => {
    async function people() {
      const users = new InMemoryUserRepository();
      const admin = anAdmin({ id: idOf(0), username: 'root' });
      await users.add(admin);
      const spec: Array<[number, string, string | null]> = [
        [4, 'ada', 'lovelace@example.com'],
        [2, 'adam', null],
        [3, 'bob', 'ada.b@example.com'],
        [1, 'madam', null],
        [5, 'eve', 'eve@example.com'],
        [6, 'adaline', null],
      ];
      for (const [n, username, email] of spec) await users.add(aUser({ id: idOf(n), username, email }));
      return { listUsers: new ListUsers(users), admin };
    }

    it('keeps the users whose username or address starts with it, trimmed and in any case, oldest id first', async () => {
      const { listUsers, admin } = await people();
      const page = await listUsers.execute({ q: '  ADA ' }, callerOf(admin));
      expect(page.users.map((u) => u.username)).to.deep.equal(['adam', 'bob', 'ada', 'adaline']);
      expect(page.nextCursor).to.equal(null);
      expect((await listUsers.execute({ q: 'Lovelace@' }, callerOf(admin))).users.map((u) => u.username)).to.deep.equal(['ada']);
    });

    it('pages the matches with the same cursor', async () => {
      const { listUsers, admin } = await people();
      const first = await listUsers.execute({ q: 'ada', limit: 3 }, callerOf(admin));
      expect(first.users.map((u) => u.id)).to.deep.equal([idOf(2), idOf(3), idOf(4)]);
      expect(first.nextCursor).to.equal(idOf(4));
      const second = await listUsers.execute({ q: 'ada', limit: 3, after: first.nextCursor! }, callerOf(admin));
      expect(second.users.map((u) => u.id)).to.deep.equal([idOf(6)]);
      expect(second.nextCursor).to.equal(null);
    });

    it('lists everyone for a blank q', async () => {
      const { listUsers, admin } = await people();
      expect((await listUsers.execute({ q: '   ' }, callerOf(admin))).users).to.have.length(7);
    });

    it(`refuses a q longer than ${MAX_SEARCH} characters or with control characters, naming the field`, async () => {
      const { listUsers, admin } = await people();
      for (const q of ['a'.repeat(MAX_SEARCH + 1), 'ad\u0000a', 'ad\na', 'a\u2028b']) {
        const err = await listUsers.execute({ q }, callerOf(admin)).catch((e) => e);
        expect(err, JSON.stringify(q)).to.be.instanceOf(ValidationFailed);
        expect(err.field).to.equal('q');
      }
      expect((await listUsers.execute({ q: 'a'.repeat(MAX_SEARCH) }, callerOf(admin))).users).to.deep.equal([]);
    });

    it('checks the caller before the search', async () => {
      const { listUsers } = await people();
      const err = await listUsers.execute({ q: 'ad\u0000a' }, callerOf(aUser())).catch((e) => e);
      expect(err).to.be.instanceOf(Forbidden);
    });
  });
});
