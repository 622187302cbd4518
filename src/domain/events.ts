import type { Role } from './role.js';
import type { User } from './user.js';

/**
 * What happened to a user, as plain data. Never carries a password, a hash or a session id:
 * these leave the service through the outbox.
 */
interface EventOf<T extends string, P> {
  id: string;
  type: T;
  aggregateType: 'user';
  aggregateId: string;
  occurredAt: Date;
  payload: P;
}

export type UserCreated = EventOf<
  'user.created',
  { userId: string; username: string; role: Role; createdBy: string | null; email: string | null }
>;
/** `change`: by the user or an admin; `reset`: through a password-reset link. */
export type PasswordChangeReason = 'change' | 'reset';
export type PasswordChanged = EventOf<'user.password_changed', { userId: string; changedBy: string; reason: PasswordChangeReason }>;
export type EmailChanged = EventOf<
  'user.email_changed',
  { userId: string; email: string; previousEmail: string | null; changedBy: string }
>;
export type EmailVerified = EventOf<'user.email_verified', { userId: string; email: string }>;
export type RoleChanged = EventOf<'user.role_changed', { userId: string; from: Role; to: Role; changedBy: string }>;
export type UserDeleted = EventOf<'user.deleted', { userId: string; username: string; deletedBy: string }>;
export type LoggedIn = EventOf<'user.logged_in', { userId: string }>;
export type UserDisabled = EventOf<'user.disabled', { userId: string; reason: string | null; disabledBy: string }>;
export type UserEnabled = EventOf<'user.enabled', { userId: string; reason: string | null; enabledBy: string }>;

/** A kind of second factor, as events and the API name it. */
export type MfaMethod = 'totp' | 'webauthn';
export type MfaEnabled = EventOf<'user.mfa_enabled', { userId: string; method: MfaMethod }>;
export type MfaDisabled = EventOf<'user.mfa_disabled', { userId: string; method: MfaMethod }>;

/** Why sessions ended: downstream services drop what they derived from them (cached tokens, sockets). */
export const SESSION_END_REASONS = [
  'logout',
  'login-replaced',
  'ended-by-user',
  'ended-by-admin',
  'password-changed',
  'user-deleted',
  'account-disabled',
  'password-reset',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
export type SessionsEnded = EventOf<
  'user.sessions_ended',
  { userId: string; sessionIds: string[]; reason: SessionEndReason; endedBy: string }
>;

export type DomainEvent =
  | UserCreated
  | PasswordChanged
  | RoleChanged
  | UserDeleted
  | LoggedIn
  | UserDisabled
  | UserEnabled
  | MfaEnabled
  | MfaDisabled
  | SessionsEnded
  | EmailChanged
  | EmailVerified;
export type EventType = DomainEvent['type'];

/** Identity and time of an event, supplied by the caller so the domain stays free of I/O. */
export interface EventStamp {
  id: string;
  at: Date;
}

function about<T extends DomainEvent>(user: User, stamp: EventStamp, type: T['type'], payload: T['payload']): T {
  return { id: stamp.id, type, aggregateType: 'user', aggregateId: user.id, occurredAt: stamp.at, payload } as T;
}

export const userCreated = (user: User, createdBy: string | null, stamp: EventStamp): UserCreated =>
  about(user, stamp, 'user.created', { userId: user.id, username: user.username, role: user.role, createdBy, email: user.email });

export const passwordChanged = (
  user: User,
  changedBy: string,
  stamp: EventStamp,
  reason: PasswordChangeReason = 'change',
): PasswordChanged => about(user, stamp, 'user.password_changed', { userId: user.id, changedBy, reason });

export const emailChanged = (user: User, previousEmail: string | null, changedBy: string, stamp: EventStamp): EmailChanged =>
  about(user, stamp, 'user.email_changed', { userId: user.id, email: user.email!, previousEmail, changedBy });

export const emailVerified = (user: User, stamp: EventStamp): EmailVerified =>
  about(user, stamp, 'user.email_verified', { userId: user.id, email: user.email! });

export const roleChanged = (user: User, from: Role, changedBy: string, stamp: EventStamp): RoleChanged =>
  about(user, stamp, 'user.role_changed', { userId: user.id, from, to: user.role, changedBy });

export const userDeleted = (user: User, deletedBy: string, stamp: EventStamp): UserDeleted =>
  about(user, stamp, 'user.deleted', { userId: user.id, username: user.username, deletedBy });

export const loggedIn = (user: User, stamp: EventStamp): LoggedIn => about(user, stamp, 'user.logged_in', { userId: user.id });

export const userDisabled = (user: User, reason: string | null, disabledBy: string, stamp: EventStamp): UserDisabled =>
  about(user, stamp, 'user.disabled', { userId: user.id, reason, disabledBy });

export const userEnabled = (user: User, reason: string | null, enabledBy: string, stamp: EventStamp): UserEnabled =>
  about(user, stamp, 'user.enabled', { userId: user.id, reason, enabledBy });

/** Events about second factors name only the user, never the user object: they are written without loading it. */
function aboutId<T extends MfaEnabled | MfaDisabled>(userId: string, stamp: EventStamp, type: T['type'], payload: T['payload']): T {
  return { id: stamp.id, type, aggregateType: 'user', aggregateId: userId, occurredAt: stamp.at, payload } as T;
}

export const mfaEnabled = (userId: string, method: MfaMethod, stamp: EventStamp): MfaEnabled =>
  aboutId(userId, stamp, 'user.mfa_enabled', { userId, method });

export const mfaDisabled = (userId: string, method: MfaMethod, stamp: EventStamp): MfaDisabled =>
  aboutId(userId, stamp, 'user.mfa_disabled', { userId, method });

/** Sessions, by their public ids, ended in the transaction that writes this event. */
export const sessionsEnded = (
  userId: string,
  sessionIds: string[],
  reason: SessionEndReason,
  endedBy: string,
  stamp: EventStamp,
): SessionsEnded => ({
  id: stamp.id,
  type: 'user.sessions_ended',
  aggregateType: 'user',
  aggregateId: userId,
  occurredAt: stamp.at,
  payload: { userId, sessionIds, reason, endedBy },
});
