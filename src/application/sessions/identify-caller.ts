import { inject, injectable } from 'inversify';
import type { Caller } from '../../domain/access-policy.js';
import { viewOf, type UserView } from '../accounts/user-view.js';
import { Clock, Sessions, UserRepository } from '../ports.js';
import { ReadAccessToken } from '../tokens/read-access-token.js';

/**
 * What a request presents to prove who it is, as the edge found it: the user a live session (a cookie or a
 * session token) belongs to, with the session's public id; or an access token, unread.
 */
export type Credential =
  | { kind: 'session'; userId: string; sessionId: string | undefined; via: 'cookie' | 'session-token' }
  | { kind: 'access-token'; token: string };

/** The caller, with the account as read on this request, and how it proved who it is. */
export interface IdentifiedCaller extends Caller {
  user: UserView;
  /** The public id of the caller's session (for an access token: the session it was issued from). */
  sessionId: string | undefined;
  via: 'cookie' | 'session-token' | 'access-token';
}

/**
 * Who is calling, for the HTTP API. The account and its role are read from the database on every request,
 * never from the session record or the token, so a role change, a deletion or a disabling applies at once.
 */
@injectable()
export class IdentifyCaller {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Sessions) private readonly sessions: Sessions,
    @inject(ReadAccessToken) private readonly accessTokens: Pick<ReadAccessToken, 'execute'>,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** The caller, or undefined when the credential proves no one: no such account, a disabled one, a bad token. */
  async execute(input: { credential: Credential; changesState: boolean }): Promise<IdentifiedCaller | undefined> {
    const { credential } = input;
    const claimed = credential.kind === 'session' ? credential : await this.tokenHolder(credential.token, input.changesState);
    if (!claimed) return undefined;
    const user = await this.users.findById(claimed.userId);
    // Disabling an account ends its sessions; an access token outlives them, so the status is checked here on every path.
    if (!user || !user.isActive) return undefined;
    return { userId: user.id, role: user.role, user: viewOf(user), sessionId: claimed.sessionId, via: claimed.via };
  }

  /**
   * An access token stands for its session for reads. A state change checks that the session is still live:
   * a token outliving a logout or a password change reads for at most its remaining lifetime, but changes nothing.
   */
  private async tokenHolder(token: string, changesState: boolean) {
    const claims = await this.accessTokens.execute(token);
    if (!claims) return undefined;
    if (changesState && !(await this.sessions.isLive(claims.sub, claims.sid, this.clock.now()))) return undefined;
    return { userId: claims.sub, sessionId: claims.sid, via: 'access-token' as const };
  }
}
