import { expect } from 'chai';
import { AccountDisabled, InvalidCredentials, TooManyAttempts } from '../../../../src/domain/errors.js';
import { A_PASSWORD, aUser } from '../../../builders.js';
import { FakeLoginThrottle, InMemoryAuditTrail, type ThrottleLimits } from '../../../fakes.js';
import { useCases } from '../../../support/use-cases.js';

const CONTEXT = { client: '203.0.113.7', userAgent: 'curl/8.0', requestId: 'req-42' };

async function setup(limits: ThrottleLimits = {}) {
  const trail = new InMemoryAuditTrail();
  const { uow, clock, authenticate } = useCases({ throttle: new FakeLoginThrottle(limits), trail });
  await uow.users.add(aUser({ id: 'ada-id', username: 'ada' }));
  await uow.users.add(aUser({ id: 'gone-id', username: 'gone', status: 'disabled', statusReason: 'left' }));
  const logIn = (username: string, password: string, context = CONTEXT) =>
    authenticate.execute({ username, password }, context).catch((e: unknown) => e);
  return { uow, trail, clock, logIn };
}

describe('sign-ins in the audit trail', () => {
  it('writes a successful sign-in in the transaction that records it, with where it came from', async () => {
    const { uow, trail, logIn } = await setup();
    await logIn('ada', A_PASSWORD);
    expect(uow.audit).to.deep.equal([{ type: 'login', outcome: 'success', actor: 'ada-id', subjectId: 'ada-id', context: CONTEXT }]);
    expect(trail.entries).to.be.empty;
  });

  it('writes a wrong password as a failure on the account, and never the password tried', async () => {
    const { uow, trail, logIn } = await setup();
    expect(await logIn('ada', 'not the password at all')).to.be.instanceOf(InvalidCredentials);
    expect(trail.entries).to.deep.equal([
      {
        type: 'login',
        outcome: 'failure',
        actor: 'anonymous',
        subjectId: 'ada-id',
        details: { reason: 'wrong-password', username: 'ada' },
        context: CONTEXT,
      },
    ]);
    expect(JSON.stringify(trail.entries)).not.to.include('not the password');
    expect(uow.audit).to.be.empty;
  });

  it('writes an unknown name as typed (lower case, cut to 64 characters), and creates no account', async () => {
    const { uow, trail, logIn } = await setup();
    const long = `  Mallory${'x'.repeat(200)}`;
    expect(await logIn(long, A_PASSWORD)).to.be.instanceOf(InvalidCredentials);
    expect(await logIn('bad name!', A_PASSWORD)).to.be.instanceOf(InvalidCredentials);
    expect(trail.entries.map((e) => [e.subjectId, e.details])).to.deep.equal([
      [null, { reason: 'unknown-user', username: `mallory${'x'.repeat(57)}` }],
      [null, { reason: 'unknown-user', username: 'bad name!' }],
    ]);
    expect(uow.users.size).to.equal(2);
  });

  it('refuses a disabled account with AccountDisabled after the right password, and InvalidCredentials after a wrong one', async () => {
    const { uow, trail, logIn } = await setup();
    expect(await logIn('gone', A_PASSWORD)).to.be.instanceOf(AccountDisabled);
    expect(await logIn('gone', 'a wrong password')).to.be.instanceOf(InvalidCredentials);
    expect(trail.entries.map((e) => e.details?.reason)).to.deep.equal(['disabled', 'wrong-password']);
    expect(uow.users.snapshotOf('gone-id')?.lastLoginAt).to.equal(null);
    expect(uow.events).to.be.empty;
  });

  it('writes a throttling block once when it begins, not once per refused attempt, whatever address the flood rotates through', async () => {
    const { trail, clock, logIn } = await setup({ account: 3, retryAfterSeconds: 60 });
    for (let i = 0; i < 3; i += 1) await logIn('ada', 'wrong guess number one');
    for (let i = 0; i < 200; i += 1) {
      expect(await logIn('ada', 'wrong guess', { ...CONTEXT, client: `198.51.100.${i % 250}` })).to.be.instanceOf(TooManyAttempts);
    }
    const blocks = trail.entries.filter((e) => e.type === 'login.blocked');
    expect(trail.entries.filter((e) => e.type === 'login').length).to.equal(3);
    expect(blocks).to.deep.equal([
      {
        type: 'login.blocked',
        outcome: 'failure',
        actor: 'anonymous',
        subjectId: 'ada-id',
        details: {
          reason: 'throttled',
          username: 'ada',
          client: '198.51.100.0',
          until: new Date(clock.now().getTime() + 60_000).toISOString(),
        },
        context: { ...CONTEXT, client: '198.51.100.0' },
      },
    ]);
    // Once that block has ended, the next refusal begins another.
    clock.advance(61_000);
    await logIn('ada', 'wrong guess');
    expect(trail.entries.filter((e) => e.type === 'login.blocked')).to.have.length(2);
  });

  it('writes one block for one address spraying many names, unknown ones included', async () => {
    const { trail, logIn } = await setup({ client: 2 });
    for (let i = 0; i < 100; i += 1) await logIn(`name${i}`, 'password guess');
    const blocks = trail.entries.filter((e) => e.type === 'login.blocked');
    expect(blocks).to.have.length(1);
    expect(blocks[0]).to.deep.include({ subjectId: null });
    expect(blocks[0]!.details).to.include({ username: 'name2', client: CONTEXT.client });
  });
});
