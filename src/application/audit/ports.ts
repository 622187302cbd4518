/**
 * The audit trail: what happened to accounts and sessions, for operators and for each user's own activity page.
 * Entries never hold a password, a hash, a token, a one-time code or a session id: only ids, names, addresses
 * and short reasons (see `details` below).
 */

/**
 * Every entry type. Capabilities add theirs here (the list is also what `GET /audit?type=` accepts). Reserved
 * for capabilities being built beside this one: email (`email.*`, `password.reset_*`), second factor (`mfa.*`,
 * `recovery_code.used`, and `login` failures with reason `second-factor-failed`), token keys (`token_key.rotated`).
 */
export const AUDIT_TYPES = [
  'login',
  'login.blocked',
  'logout',
  'session.ended',
  'password.changed',
  'password.reset',
  'password.reset_requested',
  'password.reset_completed',
  'email.changed',
  'email.verified',
  'user.created',
  'user.deleted',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'user.unlocked',
  'mfa.enrolled',
  'mfa.removed',
  'recovery_code.used',
  'mfa.passkey_clone_suspected',
  'token_key.rotated',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

/** What a user sees of its own trail (`GET /users/me/activity`): sign-ins, session ends and security changes. */
export const ACTIVITY_TYPES: readonly AuditType[] = AUDIT_TYPES.filter((t) => t !== 'token_key.rotated');

export type AuditOutcome = 'success' | 'failure';

/** Why a sign-in failed, as recorded in `details.reason`. */
export type SignInFailure = 'wrong-password' | 'unknown-user' | 'throttled' | 'disabled' | 'second-factor-failed';

/**
 * Who acted: a user's id, or `operator` (the command line), `system` (the service itself) or `anonymous`
 * (nobody signed in). User ids are UUIDs, so they never collide with the three words.
 */
export type AuditActor = string;

/** Where a request came from, as the HTTP edge saw it. Every field is optional: the command line has none. */
export interface RequestContext {
  client?: string;
  userAgent?: string;
  requestId?: string;
}

/** Small, flat, and free of secrets: ids, names, reasons, counts, times. */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  type: AuditType;
  outcome: AuditOutcome;
  actor: AuditActor;
  /** The account the entry is about; null when there is none (a sign-in with an unknown name). */
  subjectId: string | null;
  details?: AuditDetails;
  context?: RequestContext;
}

/** An entry as stored and read back. */
export interface AuditRecord {
  id: string;
  at: Date;
  type: AuditType;
  outcome: AuditOutcome;
  actor: AuditActor;
  subjectId: string | null;
  client: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: AuditDetails;
}

/**
 * Writes entries in the caller's transaction (the `audit` of a TxScope), so an entry exists if and only if the
 * change it describes was committed.
 */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/**
 * Writes an entry on its own, for what changes nothing else: a failed sign-in, the start of a throttling block.
 * Inject it with the `AuditTrail` token.
 */
export type AuditTrail = AuditLog;

export interface AuditQuery {
  subjectId?: string;
  types?: readonly AuditType[];
  since?: Date;
  until?: Date;
  limit: number;
  /** The id of the last entry of the previous page. */
  after?: string;
}

export interface AuditPage {
  entries: AuditRecord[];
  nextCursor: string | null;
}

export interface AuditReader {
  /** Newest first (entry ids are time-ordered), keyset paged on the id. */
  list(query: AuditQuery): Promise<AuditPage>;
  /** Deletes up to `limit` entries older than `cutoff`; returns how many. */
  deleteBefore(cutoff: Date, limit: number): Promise<number>;
}

export const AuditTrail = Symbol('AuditTrail');
export const AuditReader = Symbol('AuditReader');
