import type { Context } from 'koa';
import type { Clock } from '../../../application/ports.js';
import { NotAuthenticated, ReauthenticationRequired } from '../../../domain/errors.js';
import type { SessionType } from '../../../application/sessions/ports.js';
import { sessionOf, startSession } from '../session.js';
import { hasBearer } from '../sessions/bearer.js';

/** How long a session that proved the password may take to prove the second factor. */
export const HALF_DONE_MS = 5 * 60_000;

/**
 * The second-factor state kept in the session record (server side, never in the cookie):
 * - `mfaPendingUntil` (epoch ms): the password is proven, the second factor not yet; until then the session can
 *   only finish the login (the gate refuses everything else), after it the session is ended.
 * - `authenticatedAt` (epoch ms): the last time the user proved who they are (a full login, or re-authentication);
 *   sensitive changes need it within the re-authentication window.
 */
export class LoginSessions {
  constructor(
    private readonly clock: Clock,
    private readonly reauthWindowMs: number,
  ) {}

  private now(): number {
    return this.clock.now().getTime();
  }

  /**
   * A new session, under a new id, that can only finish the login. A `token` session's secret is returned (shown
   * once), as by startSession.
   */
  async startHalfDone(ctx: Context, userId: string, type: SessionType = 'cookie'): Promise<string | undefined> {
    sessionOf(ctx)!.mfaPendingUntil = this.now() + HALF_DONE_MS;
    delete sessionOf(ctx)!.authenticatedAt;
    return startSession(ctx, userId, type);
  }

  /**
   * A new session, under a new id (also when a half-done one finishes), fully logged in. Without `type`, of the
   * kind the request came with: a half-done token session finishes as a token session, with a new secret.
   */
  async startFull(ctx: Context, userId: string, type: SessionType = currentType(ctx)): Promise<string | undefined> {
    delete sessionOf(ctx)!.mfaPendingUntil;
    sessionOf(ctx)!.authenticatedAt = this.now();
    return startSession(ctx, userId, type);
  }

  /** The user of a live half-done session. @throws NotAuthenticated when there is none. */
  pendingUserId(ctx: Context): string {
    const { userId, mfaPendingUntil } = sessionOf(ctx) ?? {};
    if (typeof userId !== 'string' || typeof mfaPendingUntil !== 'number' || mfaPendingUntil <= this.now()) throw new NotAuthenticated();
    return userId;
  }

  isPending(ctx: Context): boolean {
    return typeof sessionOf(ctx)?.mfaPendingUntil === 'number';
  }

  isExpiredPending(ctx: Context): boolean {
    const until = sessionOf(ctx)?.mfaPendingUntil;
    return typeof until === 'number' && until <= this.now();
  }

  markReauthenticated(ctx: Context): void {
    sessionOf(ctx)!.authenticatedAt = this.now();
  }

  /** @throws ReauthenticationRequired unless the session authenticated within the window. */
  requireRecent(ctx: Context): void {
    const at = sessionOf(ctx)?.authenticatedAt;
    if (typeof at !== 'number' || this.now() - at > this.reauthWindowMs) throw new ReauthenticationRequired();
  }
}

/** The kind of session the request holds: a bearer session token, or else the cookie. */
function currentType(ctx: Context): SessionType {
  return hasBearer(ctx) ? 'token' : 'cookie';
}
