// NFKC, not just NFC: full-width letters and ligatures (which NFC keeps) are one password with their plain forms,
// at registration, at login and on a change alike.
import { expect } from 'chai';
import { aUser, callerOf } from '../../builders.js';
import { useCases } from '../../support/use-cases.js';

const FULL_WIDTH = 'ｃａｆｅ ａｕ ｌａｉｔ'; // as an East Asian keyboard may type it
const PLAIN = 'cafe au lait';
const LIGATURE = 'di\uFB03cult ﬁnal ﬂag'; // ﬃ, ﬁ, ﬂ
const LIGATURE_NFKC = 'difficult final flag';

const setup = () => useCases();

describe('Passwords in NFKC', () => {
  it('at registration: stores the hash of the compatibility form', async () => {
    const { uow, createUser } = setup();
    const full = await createUser.execute({ username: 'zoe', password: FULL_WIDTH }, 'anonymous');
    const ligature = await createUser.execute({ username: 'yan', password: LIGATURE }, 'anonymous');
    expect(uow.users.snapshotOf(full.id)?.passwordHash).to.equal(`hashed:${PLAIN}`);
    expect(uow.users.snapshotOf(ligature.id)?.passwordHash).to.equal(`hashed:${LIGATURE_NFKC}`);
  });

  it('at login: accepts either form of the registered password', async () => {
    const { createUser, authenticate } = setup();
    await createUser.execute({ username: 'zoe', password: FULL_WIDTH }, 'anonymous');
    await createUser.execute({ username: 'yan', password: LIGATURE_NFKC }, 'anonymous');
    expect((await authenticate.execute({ username: 'zoe', password: PLAIN })).username).to.equal('zoe');
    expect((await authenticate.execute({ username: 'zoe', password: FULL_WIDTH })).username).to.equal('zoe');
    expect((await authenticate.execute({ username: 'yan', password: LIGATURE })).username).to.equal('yan');
  });

  it('on a change: checks the current password and stores the new one in the compatibility form', async () => {
    const { uow, changePassword, authenticate } = setup();
    const zoe = aUser({ id: 'zoe-id', username: 'zoe', password: PLAIN });
    await uow.users.add(zoe);
    await changePassword.execute({ userId: 'zoe-id', currentPassword: FULL_WIDTH, newPassword: LIGATURE }, callerOf(zoe));
    expect(uow.users.snapshotOf('zoe-id')?.passwordHash).to.equal(`hashed:${LIGATURE_NFKC}`);
    expect((await authenticate.execute({ username: 'zoe', password: LIGATURE_NFKC })).id).to.equal('zoe-id');
  });
});
