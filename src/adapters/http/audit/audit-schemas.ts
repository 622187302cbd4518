import { z } from 'zod';
import { AUDIT_TYPES } from '../../../application/audit/ports.js';
import { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from '../../../application/audit/audit-view.js';

// Ids are UUIDs (user ids and entry ids alike); anything else cannot match and is refused as a typo.
// Lower-cased as stored, so the filter means the same on MySQL (case-insensitive) and SQLite (case-sensitive).
const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID')
  .transform((v) => v.toLowerCase());
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_AUDIT_PAGE)
  .optional()
  .describe(`Page size, 1–${MAX_AUDIT_PAGE} (default ${DEFAULT_AUDIT_PAGE})`);
const after = uuid.optional().describe('The `nextCursor` of the previous page');

export const auditQuery = z.strictObject({
  userId: uuid.optional().describe('Only entries about this account'),
  type: z.enum(AUDIT_TYPES).optional(),
  since: instant.optional().describe('Entries at or after this time (ISO 8601)'),
  until: instant.optional().describe('Entries before this time (ISO 8601)'),
  limit,
  after,
});

export const activityQuery = z.strictObject({ limit, after });

// Response shapes, for the OpenAPI document.
export const auditEntry = z.object({
  id: z.string().describe('UUIDv7, time-ordered'),
  at: z.iso.datetime(),
  type: z.enum(AUDIT_TYPES),
  outcome: z.enum(['success', 'failure']),
  actor: z.string().describe('The acting user id, or `operator` (command line), `system` or `anonymous`'),
  subjectId: z.string().nullable().describe('The account the entry is about; null for a sign-in with an unknown name'),
  client: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export const auditPage = z.object({
  entries: z.array(auditEntry),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page'),
});
