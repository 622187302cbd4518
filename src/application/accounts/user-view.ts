import type { EventStamp } from '../../domain/events.js';
import type { AccountStatus } from '../../domain/account-status.js';
import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { Clock, IdGenerator } from '../ports.js';

/** What the use cases return about a user: never the hash. */
export interface UserView {
  id: string;
  username: string;
  role: Role;
  status: AccountStatus;
  /** Why an admin disabled the account; null while it is active. */
  statusReason: string | null;
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function viewOf(user: User): UserView {
  const { id, username, role, status, statusReason, email, emailVerified, createdAt, updatedAt } = user.toSnapshot();
  return { id, username, role, status, statusReason, email, emailVerified, createdAt, updatedAt };
}

export function stamp(ids: IdGenerator, clock: Clock): EventStamp {
  return { id: ids.next(), at: clock.now() };
}
