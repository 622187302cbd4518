import { ChangePassword } from '../../src/application/accounts/change-password.js';
import { ChangeRole } from '../../src/application/accounts/change-role.js';
import { CreateUser } from '../../src/application/accounts/create-user.js';
import { DeleteUser } from '../../src/application/accounts/delete-user.js';
import { EnsureAdmin } from '../../src/application/accounts/ensure-admin.js';
import { GetUser } from '../../src/application/accounts/get-user.js';
import { ListUsers } from '../../src/application/accounts/list-users.js';
import { SetAccountStatus } from '../../src/application/accounts/set-account-status.js';
import { SignInAudit } from '../../src/application/audit/sign-in-audit.js';
import type { AuditLog } from '../../src/application/audit/ports.js';
import type { CommonPasswords } from '../../src/application/ports.js';
import { Authenticate } from '../../src/application/sessions/authenticate.js';
import { EndSession } from '../../src/application/sessions/end-session.js';
import { EndSessions } from '../../src/application/sessions/end-sessions.js';
import { ListSessions } from '../../src/application/sessions/list-sessions.js';
import { LogOut } from '../../src/application/sessions/log-out.js';
import {
  FakeCommonPasswords,
  fakeHasher,
  FakeLoginThrottle,
  type FakePasswordHasher,
  FakeRegistrationThrottle,
  FixedClock,
  InMemoryUnitOfWork,
  SequentialIds,
} from '../fakes.js';

/** One set of fakes: what every use case below is wired to, and what a test looks at afterwards. */
export interface Fakes {
  uow: InMemoryUnitOfWork;
  hasher: FakePasswordHasher;
  clock: FixedClock;
  ids: SequentialIds;
  throttle: FakeLoginThrottle;
  registrationThrottle: FakeRegistrationThrottle;
  commonPasswords: CommonPasswords;
  /** Where sign-ins are audited; without one, Authenticate keeps its own default (no audit trail). */
  trail?: AuditLog;
}

/**
 * The account and session use cases, each built on the same fakes (fresh ones unless `overrides` gives some), as
 * the composition root builds them on the real adapters: a test takes the ones it drives and the fakes it checks.
 */
export function useCases(overrides: Partial<Fakes> = {}) {
  const fakes: Fakes = {
    uow: new InMemoryUnitOfWork(),
    hasher: fakeHasher(),
    clock: new FixedClock(),
    ids: new SequentialIds(),
    throttle: new FakeLoginThrottle(),
    registrationThrottle: new FakeRegistrationThrottle(),
    commonPasswords: new FakeCommonPasswords(),
    ...overrides,
  };
  const { uow, hasher, clock, ids, throttle, commonPasswords } = fakes;
  const audit = fakes.trail === undefined ? undefined : new SignInAudit(fakes.trail, uow.users, clock);
  const createUser = new CreateUser(uow, hasher, commonPasswords, ids, clock, uow.users, fakes.registrationThrottle);
  return {
    ...fakes,
    createUser,
    ensureAdmin: new EnsureAdmin(createUser, uow.users),
    authenticate: new Authenticate(uow.users, uow, hasher, throttle, ids, clock, audit),
    changePassword: new ChangePassword(uow.users, uow, hasher, commonPasswords, throttle, ids, clock),
    changeRole: new ChangeRole(uow, ids, clock),
    deleteUser: new DeleteUser(uow, ids, clock),
    setAccountStatus: new SetAccountStatus(uow, ids, clock),
    getUser: new GetUser(uow.users),
    listUsers: new ListUsers(uow.users),
    logOut: new LogOut(uow, ids, clock),
    endSession: new EndSession(uow, ids, clock),
    endSessions: new EndSessions(uow, ids, clock),
    listSessions: new ListSessions(uow.sessions, uow.users, clock),
  };
}
