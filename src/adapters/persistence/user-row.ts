import { Model } from 'objection';
import type { AccountStatus } from '../../domain/account-status.js';
import type { EmailAddress } from '../../domain/email-address.js';
import type { Role } from '../../domain/role.js';
import { User } from '../../domain/user.js';
import type { Username } from '../../domain/username.js';
import { toDate } from './db.js';

export class UserRow extends Model {
  static override tableName = 'users';
  id!: string;
  username!: string;
  role!: string;
  passwordHash!: string;
  createdAt!: Date | number;
  updatedAt!: Date | number;
  lastLoginAt!: Date | number | null;
  status!: string;
  statusReason!: string | null;
  email!: string | null;
  emailVerified!: boolean | number;
}

/** Field by field: an ORM instance never leaks into the domain. */
export function toUser(row: UserRow): User {
  return User.restore({
    id: row.id,
    username: row.username as Username,
    role: row.role as Role,
    passwordHash: row.passwordHash,
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
    lastLoginAt: row.lastLoginAt === null ? null : toDate(row.lastLoginAt),
    status: row.status as AccountStatus,
    statusReason: row.statusReason ?? null,
    email: (row.email ?? null) as EmailAddress | null,
    emailVerified: Boolean(row.emailVerified), // SQLite and MySQL hand booleans back as 0 and 1
  });
}
