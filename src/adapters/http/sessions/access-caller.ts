import type { Context } from 'koa';
import type { UserRepository } from '../../../application/ports.js';
import { viewOf } from '../../../application/accounts/user-view.js';
import type { AccessTokenClaims } from '../../../application/tokens/ports.js';
import type { Identified } from '../session.js';

/** What the HTTP edge needs to accept access tokens as credentials for authsvc's own endpoints. */
export interface AccessTokens {
  /** The claims of a token this service signed, still valid; undefined for anything else. */
  read(token: string): Promise<AccessTokenClaims | undefined>;
  /** Whether the session the token was issued from is still live. */
  sessionIsLive(userId: string, sessionId: string): Promise<boolean>;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An access token stands for its session for reads. A state change checks that the session is still live:
 * a token outliving a logout or a password change reads for at most its remaining lifetime, but changes nothing.
 */
export async function accessCaller(
  ctx: Context,
  token: string,
  users: UserRepository,
  tokens: AccessTokens,
): Promise<Identified | undefined> {
  const claims = await tokens.read(token);
  if (!claims) return undefined;
  if (!READS.has(ctx.method) && !(await tokens.sessionIsLive(claims.sub, claims.sid))) return undefined;
  const user = await users.findById(claims.sub);
  if (!user) return undefined;
  return { userId: user.id, role: user.role, user: viewOf(user), sessionId: claims.sid, via: 'access-token' };
}
