import type { Context, Middleware } from 'koa';
import type { SecondFactors } from '../../../application/mfa/second-factors.js';
import type { UserRepository } from '../../../application/ports.js';
import { MfaEnrolmentRequired, MfaRequired, ReauthenticationRequired } from '../../../domain/errors.js';
import { endSession, sessionOf } from '../session.js';
import type { LoginSessions } from './session-state.js';

const route = (ctx: Context) => `${ctx.method} ${ctx.path}`;

/** What a half-done session may do: finish the login, or give up (log out, or start another login). */
export const WHILE_PENDING: ReadonlySet<string> = new Set([
  'POST /login/mfa',
  'POST /login/mfa/webauthn/options',
  'POST /login',
  'POST /logout',
  'POST /webauthn/login/options',
  'POST /webauthn/login',
]);

/** What an admin without a second factor may do when MFA_REQUIRED_FOR_ADMINS is on: enrol one. */
export const ENROLMENT_ONLY: ReadonlySet<string> = new Set([
  'GET /mfa',
  'POST /mfa/totp',
  'POST /mfa/totp/confirm',
  'POST /webauthn/register/options',
  'POST /webauthn/register',
  'POST /reauthenticate',
  'POST /login',
  'POST /logout',
]);

/**
 * Changes to one's own account that need a recent authentication, besides the second-factor routes (which check
 * it themselves): the method, and the path with the account id as its first group. The address is here because
 * it is where password-reset links go: whoever changes it can take the account over.
 *
 * Only one's own account: an admin changing another user's password or address acts by its role, and the target
 * has not signed in to be asked again (the admin's own password and address are covered like anybody's).
 */
const SENSITIVE_OWN_CHANGES: Array<{ method: string; path: RegExp }> = [
  { method: 'PUT', path: /^\/users\/([^/]+)\/password$/ },
  { method: 'PUT', path: /^\/users\/([^/]+)\/email$/ },
];

export interface GateOptions {
  sessions: LoginSessions;
  users: UserRepository;
  secondFactors: SecondFactors;
  requiredForAdmins: boolean;
}

/** Between the session middleware and the routes: enforces the half-done login, the admin policy and re-authentication. */
export function mfaGate({ sessions, users, secondFactors, requiredForAdmins }: GateOptions): Middleware {
  return async (ctx, next) => {
    if (sessions.isExpiredPending(ctx)) endSession(ctx);
    else if (sessions.isPending(ctx)) {
      if (!WHILE_PENDING.has(route(ctx))) throw new MfaRequired();
    } else if (requiredForAdmins && typeof sessionOf(ctx)?.userId === 'string' && !ENROLMENT_ONLY.has(route(ctx))) {
      // Read on every request (only with the policy on), like the role itself: a promotion applies at once.
      const user = await users.findById(sessionOf(ctx)!.userId!);
      if (user?.isAdmin && (await secondFactors.methodsOf(user.id)).length === 0) throw new MfaEnrolmentRequired();
    }
    if (isSensitiveOwnChange(ctx)) sessions.requireRecent(ctx);
    await next();
  };
}

/**
 * The gate sees the session; an access token (a signed JWT) has none, and carries no time of authentication. So
 * a route on the list refuses one for the caller's own account (403 reauthentication-required): the change is
 * made with the session itself, which can re-authenticate. An admin's token may still change another account.
 */
export function refuseOwnChangeByAccessToken(caller: { userId: string; via: string }, targetId: string): void {
  if (caller.via === 'access-token' && caller.userId === targetId) throw new ReauthenticationRequired();
}

function isSensitiveOwnChange(ctx: Context): boolean {
  return SENSITIVE_OWN_CHANGES.some(({ method, path }) => {
    const match = ctx.method === method && path.exec(ctx.path);
    return Boolean(match) && safeDecode(match ? match[1]! : '') === sessionOf(ctx)?.userId;
  });
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
