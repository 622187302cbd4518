import { expect } from 'chai';
import { OPERATOR } from '../../../../src/domain/access-policy.js';
import { CannotDisableSelf, Forbidden, LastAdmin, UserNotFound, ValidationFailed } from '../../../../src/domain/errors.js';
import { aUser, anAdmin, callerOf } from '../../../builders.js';
import { T0 } from '../../../fakes.js';
import { useCases } from '../../../support/use-cases.js';

async function setup() {
  const s = useCases();
  const { uow, clock } = s;
  clock.advance(60_000);
  const ada = aUser({ id: 'ada-id', username: 'ada' });
  const root = anAdmin({ id: 'root-id', username: 'root' });
  for (const u of [ada, root]) await uow.users.add(u);
  uow.sessions.start('ada-id', 'ada-laptop');
  uow.sessions.start('ada-id', 'ada-phone');
  uow.sessions.start('root-id', 'root-laptop');
  return { ...s, setStatus: s.setAccountStatus, ada, root };
}

describe('SetAccountStatus', () => {
  it('disables an account: status and reason stored, every session ended, one event and one audit entry in the same transaction', async () => {
    const { uow, setStatus, root } = await setup();
    const view = await setStatus.execute({ userId: 'ada-id', status: 'disabled', reason: '  left the company ' }, callerOf(root), {
      client: '203.0.113.9',
      requestId: 'req-1',
    });
    expect(view).to.include({ id: 'ada-id', status: 'disabled', statusReason: 'left the company' });
    expect(view.updatedAt.getTime()).to.equal(T0.getTime() + 60_000);
    expect(uow.users.snapshotOf('ada-id')).to.include({ status: 'disabled', statusReason: 'left the company' });
    expect(uow.sessions.keysOf('ada-id')).to.deep.equal([]);
    expect(uow.sessions.keysOf('root-id')).to.deep.equal(['root-laptop']);
    expect(uow.commits).to.equal(1);
    // With the sessions it ended, for services that derived something from them (access tokens by `sid`).
    expect(uow.events.map((e) => [e.type, e.payload])).to.deep.equal([
      ['user.disabled', { userId: 'ada-id', reason: 'left the company', disabledBy: 'root-id' }],
      [
        'user.sessions_ended',
        { userId: 'ada-id', sessionIds: ['ada-laptop', 'ada-phone'], reason: 'account-disabled', endedBy: 'root-id' },
      ],
    ]);
    expect(uow.audit).to.deep.equal([
      {
        type: 'user.disabled',
        outcome: 'success',
        actor: 'root-id',
        subjectId: 'ada-id',
        details: { reason: 'left the company', sessionsEnded: true },
        context: { client: '203.0.113.9', requestId: 'req-1' },
      },
    ]);
  });

  it('enables it again: the reason is cleared from the account and told in the event', async () => {
    const { uow, setStatus, root } = await setup();
    await setStatus.execute({ userId: 'ada-id', status: 'disabled', reason: 'on leave' }, callerOf(root));
    const view = await setStatus.execute({ userId: 'ada-id', status: 'active', reason: 'back' }, callerOf(root));
    expect(view).to.include({ status: 'active', statusReason: null });
    expect(uow.events.map((e) => e.type)).to.deep.equal(['user.disabled', 'user.sessions_ended', 'user.enabled']);
    expect(uow.events[2]!.payload).to.deep.equal({ userId: 'ada-id', reason: 'back', enabledBy: 'root-id' });
    expect(uow.audit.map((e) => e.type)).to.deep.equal(['user.disabled', 'user.enabled']);
  });

  it('changes nothing, and tells nothing, when the status is already the one asked for', async () => {
    const { uow, setStatus, root } = await setup();
    await setStatus.execute({ userId: 'ada-id', status: 'active' }, callerOf(root));
    expect(uow.events).to.be.empty;
    expect(uow.audit).to.be.empty;
    expect(uow.sessions.keysOf('ada-id')).to.have.length(2);
  });

  it('refuses a plain user (403 forbidden), even on its own account', async () => {
    const { uow, setStatus, ada } = await setup();
    for (const userId of ['ada-id', 'root-id']) {
      const err = await setStatus.execute({ userId, status: 'disabled' }, callerOf(ada)).catch((e) => e);
      expect(err).to.be.instanceOf(Forbidden);
    }
    expect(uow.users.snapshotOf('root-id')?.status).to.equal('active');
    expect(uow.events).to.be.empty;
  });

  it('refuses an admin disabling itself (cannot-disable-self), before anything is read', async () => {
    const { uow, setStatus, root } = await setup();
    await uow.users.add(anAdmin({ id: 'other-admin', username: 'other' }));
    const err = await setStatus.execute({ userId: 'root-id', status: 'disabled' }, callerOf(root)).catch((e) => e);
    expect(err).to.be.instanceOf(CannotDisableSelf);
    expect(uow.users.snapshotOf('root-id')?.status).to.equal('active');
    expect(uow.sessions.keysOf('root-id')).to.deep.equal(['root-laptop']);
  });

  it('refuses to disable the last active admin; a disabled admin does not count as one', async () => {
    const { uow, setStatus } = await setup();
    await uow.users.add(anAdmin({ id: 'second-id', username: 'second', status: 'disabled' }));
    // The operator is no account: only root is an active admin, so root cannot go.
    const err = await setStatus.execute({ userId: 'root-id', status: 'disabled' }, OPERATOR).catch((e) => e);
    expect(err).to.be.instanceOf(LastAdmin);
    expect(uow.rollbacks).to.equal(1);
    expect(uow.users.snapshotOf('root-id')?.status).to.equal('active');
    // With the second admin enabled again, root may be disabled by it.
    await setStatus.execute({ userId: 'second-id', status: 'active' }, OPERATOR);
    await setStatus.execute({ userId: 'root-id', status: 'disabled' }, { userId: 'second-id', role: 'admin' });
    expect(uow.users.snapshotOf('root-id')?.status).to.equal('disabled');
    expect(uow.audit.map((e) => [e.type, e.actor])).to.deep.equal([
      ['user.enabled', 'operator'],
      ['user.disabled', 'second-id'],
    ]);
  });

  it('answers UserNotFound for an unknown account, and names the field of a bad status or reason', async () => {
    const { setStatus, root } = await setup();
    expect(await setStatus.execute({ userId: 'nobody', status: 'disabled' }, callerOf(root)).catch((e) => e)).to.be.instanceOf(
      UserNotFound,
    );
    const badStatus = await setStatus.execute({ userId: 'ada-id', status: 'banned' }, callerOf(root)).catch((e) => e);
    expect(badStatus).to.be.instanceOf(ValidationFailed).and.include({ field: 'status' });
    for (const reason of ['x'.repeat(257), 'two\nlines']) {
      const badReason = await setStatus.execute({ userId: 'ada-id', status: 'disabled', reason }, callerOf(root)).catch((e) => e);
      expect(badReason).to.be.instanceOf(ValidationFailed).and.include({ field: 'reason' });
    }
  });
});
