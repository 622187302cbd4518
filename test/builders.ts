// Test data with sensible defaults: a test names only what it is about.
import type { Caller } from '../src/domain/access-policy.js';
import type { AccountStatus } from '../src/domain/account-status.js';
import type { EmailAddress } from '../src/domain/email-address.js';
import type { Role } from '../src/domain/role.js';
import { User } from '../src/domain/user.js';
import type { Username } from '../src/domain/username.js';
import { T0 } from './fakes.js';

export const A_PASSWORD = 'correct horse battery';

let built = 0;

export interface UserSpec {
  id?: string;
  username?: string;
  role?: Role;
  /** Stored as the fake hasher would store it; ignored when passwordHash is given. */
  password?: string;
  passwordHash?: string;
  createdAt?: Date;
  updatedAt?: Date;
  lastLoginAt?: Date | null;
  status?: AccountStatus;
  statusReason?: string | null;
  email?: string | null;
  emailVerified?: boolean;
}

/** A stored user. Ids default to `user-0001`, … and never collide with SequentialIds' UUID-shaped ones. */
export function aUser(spec: UserSpec = {}): User {
  built += 1;
  const n = String(built).padStart(4, '0');
  return User.restore({
    id: spec.id ?? `user-${n}`,
    username: (spec.username ?? `user${n}`) as Username,
    role: spec.role ?? 'user',
    passwordHash: spec.passwordHash ?? `hashed:${spec.password ?? A_PASSWORD}`,
    createdAt: spec.createdAt ?? T0,
    updatedAt: spec.updatedAt ?? spec.createdAt ?? T0,
    lastLoginAt: spec.lastLoginAt ?? null,
    status: spec.status ?? 'active',
    statusReason: spec.statusReason ?? null,
    email: (spec.email ?? null) as EmailAddress | null,
    emailVerified: spec.emailVerified ?? false,
  });
}

export const anAdmin = (spec: Omit<UserSpec, 'role'> = {}): User => aUser({ ...spec, role: 'admin' });

/** The caller as the HTTP edge would pass it for this user's session. */
export const callerOf = (user: User): Caller => ({ userId: user.id, role: user.role });

export const aCaller = (spec: Partial<Caller> = {}): Caller => ({ userId: 'caller-1', role: 'user', ...spec });
