import { z } from 'zod';
import { MAX_SEARCH } from '../../application/accounts/list-users.js';
import { ACCOUNT_STATUSES } from '../../domain/account-status.js';
import { ROLES } from '../../domain/role.js';
import { MAX_ISSUES } from './problem-details.js';

// The shapes of request bodies and queries. They check types and reject unknown fields; the domain owns the
// rules on values (username characters, password policy), so each rule lives in one place.
// Bounds on string length keep absurd inputs away from the domain (and from bcrypt).
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const createUserBody = z.strictObject({
  username: text(256),
  password: text(1024),
  role: z.enum(ROLES).optional(),
  email: text(320).optional().describe('Optional; a verification link is sent to it'),
});

export const loginBody = z.strictObject({
  username: text(256),
  password: text(1024),
  session: z
    .enum(['cookie', 'token'])
    .optional()
    .describe('cookie (default): Set-Cookie; token: the answer carries sessionToken, no cookie'),
});

export const changePasswordBody = z.strictObject({
  currentPassword: text(1024).optional(),
  newPassword: text(1024),
});

export const changeRoleBody = z.strictObject({
  role: z.enum(ROLES),
});

export const listUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  after: text(64).optional().describe('The `nextCursor` of the previous page'),
  q: text(MAX_SEARCH)
    .optional()
    .describe(
      'Only users whose username or address starts with this, ignoring case; taken literally (% and _ are no wildcards). ' +
        'Blank means everyone. Keep it when following `nextCursor`.',
    ),
});

// Response shapes: they do not validate anything at run time, they document what the handlers return.
export const userView = z.object({
  id: z.string().uuid().describe('UUIDv7'),
  username: z.string(),
  role: z.enum(ROLES),
  status: z.enum(ACCOUNT_STATUSES).describe('A disabled account cannot sign in'),
  statusReason: z.string().nullable().describe('Why an admin disabled the account; null while active'),
  email: z.string().nullable().describe('Trimmed and lower case; null when none'),
  emailVerified: z.boolean().describe('Whether the owner followed the link sent to the address'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const loginResult = userView.pick({ id: true, username: true, role: true }).extend({
  sessionToken: z
    .string()
    .optional()
    .describe('Only for "session": "token": the session secret, shown once; send as Authorization: Bearer'),
});

export const userPage = z.object({
  users: z.array(userView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});

export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable machine-readable error code'),
  errors: z
    .array(z.object({ field: z.string(), reason: z.string() }))
    .max(MAX_ISSUES)
    .optional()
    .describe(`At most ${MAX_ISSUES}; a few unknown fields are named and the rest counted in one more entry`),
});
