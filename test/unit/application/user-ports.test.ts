// The split is checked by the compiler (npm run typecheck): these lines stop compiling if a write reaches the
// port the use cases are injected with, or leaves the one a unit of work hands out.
import { expect } from 'chai';
import type { TxScope, UserChanges, UserRepository } from '../../../src/application/ports.js';

type Writes = 'add' | 'update' | 'remove' | 'findForUpdate' | 'lockAdmins';

describe('the user ports', () => {
  it('give an injected use case reads only; the writes come with a unit of work, as tx.users', () => {
    const readerHasNoWrite: Extract<keyof UserRepository, Writes> extends never ? true : false = true;
    const txHasEveryWrite: Writes extends keyof TxScope['users'] ? true : false = true;
    const changesCanRead: UserChanges extends UserRepository ? true : false = true;
    expect([readerHasNoWrite, txHasEveryWrite, changesCanRead]).to.deep.equal([true, true, true]);
  });
});
