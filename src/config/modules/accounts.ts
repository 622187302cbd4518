import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { SetAccountStatus } from '../../application/accounts/set-account-status.js';
import { UnlockAccount } from '../../application/accounts/unlock-account.js';
import { ChangePassword } from '../../application/accounts/change-password.js';
import { ChangeRole } from '../../application/accounts/change-role.js';
import { CreateUser } from '../../application/accounts/create-user.js';
import { DeleteUser } from '../../application/accounts/delete-user.js';
import { EnsureAdmin } from '../../application/accounts/ensure-admin.js';
import { GetUser } from '../../application/accounts/get-user.js';
import { ListUsers } from '../../application/accounts/list-users.js';
import { LoginThrottle, LoginThrottleReset, RegistrationThrottle } from '../../application/ports.js';
import { databaseName } from '../../adapters/persistence/dialect.js';
import { RateLimiterRegistrationThrottle } from '../../adapters/throttling/rate-limiter-registration-throttle.js';
import { SqlThrottleRows } from '../../adapters/throttling/sql-throttle-rows.js';
import { WindowedLoginThrottle } from '../../adapters/throttling/windowed-login-throttle.js';
import type { Env } from '../env.js';

/**
 * Accounts: registration and the admin's and operator's changes to users, with the throttles they consult.
 * Call after bindUsers and bindPasswords.
 */
export function bindAccounts(container: Container, env: Env, db: Knex): void {
  const loginThrottle = new WindowedLoginThrottle(env.loginLimits, new SqlThrottleRows(db));
  container.bind<LoginThrottle>(LoginThrottle).toConstantValue(loginThrottle);
  container.bind<LoginThrottleReset>(LoginThrottleReset).toConstantValue(loginThrottle);
  container
    .bind<RegistrationThrottle>(RegistrationThrottle)
    .toConstantValue(new RateLimiterRegistrationThrottle(env.registerLimits, { kind: 'database', db, database: databaseName(db) }));
  container.bind(CreateUser).toSelf();
  container.bind(GetUser).toSelf();
  container.bind(ListUsers).toSelf();
  container.bind(ChangePassword).toSelf();
  container.bind(ChangeRole).toSelf();
  container.bind(DeleteUser).toSelf();
  container.bind(UnlockAccount).toSelf();
  container.bind(SetAccountStatus).toSelf();
  container.bind(EnsureAdmin).toSelf();
}
