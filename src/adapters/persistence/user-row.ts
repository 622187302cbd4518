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

/** A users row as read, with its columns in camelCase: an objection UserRow or a plain row of a prepared read. */
export type UserRecord = Pick<
  UserRow,
  | 'id'
  | 'username'
  | 'role'
  | 'passwordHash'
  | 'createdAt'
  | 'updatedAt'
  | 'lastLoginAt'
  | 'status'
  | 'statusReason'
  | 'email'
  | 'emailVerified'
>;

/** Every column of a users row, aliased to the names of UserRecord, for statements written once in SQL. */
export const USER_COLUMNS =
  '`id`, `username`, `role`, `password_hash` AS `passwordHash`, `created_at` AS `createdAt`, `updated_at` AS `updatedAt`,' +
  ' `last_login_at` AS `lastLoginAt`, `status`, `status_reason` AS `statusReason`, `email`, `email_verified` AS `emailVerified`';

/** Field by field: an ORM instance never leaks into the domain. */
export function toUser(row: UserRecord): User {
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
