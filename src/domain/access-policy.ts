import { CannotDeleteSelf, CannotDisableSelf, Forbidden, LastAdmin } from './errors.js';
import type { Role } from './role.js';

/** Who is asking: an authenticated account, with its role as read from storage on this request. */
export interface Caller {
  readonly userId: string;
  readonly role: Role;
}

/**
 * An operator at the command line (`npm run cli`), who has the database's trust and acts as an admin. Events
 * record the nil UUID as the actor of such changes.
 */
export const OPERATOR: Caller = Object.freeze({ userId: '00000000-0000-0000-0000-000000000000', role: 'admin' });

/**
 * Who creates an account: anyone may register a plain user; an admin account needs an admin caller,
 * or the service itself (the start-up admin).
 */
export type Creator = Caller | 'anonymous' | 'system';

const isAdmin = (caller: Caller): boolean => caller.role === 'admin';

export function assertMayCreate(creator: Creator, role: Role): void {
  if (role === 'user' || creator === 'system') return;
  if (creator === 'anonymous' || !isAdmin(creator)) throw new Forbidden('Only an admin may create an admin', 'role');
}

/** Users see only their own account; admins see any. Checked before existence, so a user learns nothing of others. */
export function assertMayRead(caller: Caller, targetId: string): void {
  if (caller.userId !== targetId && !isAdmin(caller)) throw new Forbidden('You may only access your own account');
}

export function assertMayList(caller: Caller): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may list users');
}

/**
 * A user changes only its own password and must confirm the current one; an admin may reset anyone else's
 * without it. Returns whether the current password must be verified.
 */
export function mustConfirmPasswordChange(caller: Caller, targetId: string): boolean {
  if (caller.userId === targetId) return true;
  if (isAdmin(caller)) return false;
  throw new Forbidden('You may only change your own password');
}

/** Like a password: a user changes its own address after confirming its password; an admin changes anyone's. */
export const mustConfirmEmailChange = (caller: Caller, targetId: string): boolean => {
  if (caller.userId === targetId) return true;
  if (isAdmin(caller)) return false;
  throw new Forbidden('You may only change your own email address');
};

export function assertMayChangeRole(caller: Caller): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may change roles');
}

export function assertMayDelete(caller: Caller, targetId: string): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may delete accounts');
  if (caller.userId === targetId) throw new CannotDeleteSelf();
}

/** Only an admin changes an account's status, and never disables itself (it would lock itself out). */
export function assertMayChangeStatus(caller: Caller, targetId: string, status: string): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may change an account status');
  if (caller.userId === targetId && status === 'disabled') throw new CannotDisableSelf();
}

/** Clearing an account's sign-in throttle is an admin's (the operator's) to do. */
export function assertMayUnlock(caller: Caller): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may unlock an account');
}

/** The whole audit trail is for admins; every user reads its own activity through another door. */
export function assertMayReadAuditTrail(caller: Caller): void {
  if (!isAdmin(caller)) throw new Forbidden('Only an admin may read the audit trail');
}

/** An admin may be demoted, disabled or deleted only while another active admin remains; `admins` counts the active admins, locked for the decision. */
export function assertAnotherAdminRemains(admins: number): void {
  if (admins <= 1) throw new LastAdmin();
}

/** Another user's sessions are an admin's to list and end; a user manages its own through /sessions. */
export function assertMayManageSessionsOf(caller: Caller): void {
  if (!isAdmin(caller)) throw new Forbidden("Only an admin may manage another user's sessions");
}
