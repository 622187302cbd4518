import { inject, injectable } from 'inversify';
import type { Caller } from '../../domain/access-policy.js';
import { Clock, IdGenerator } from '../ports.js';
import { KeyRing } from './key-ring.js';
import { TokenSettings } from './ports.js';

export interface IssuedAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until it expires. */
  expiresIn: number;
}

/**
 * Signs a short-lived access token for the caller's session, for other services to verify on their own
 * against the published keys. It names the user, the role and the session, and nothing else about the user.
 */
@injectable()
export class IssueAccessToken {
  constructor(
    @inject(KeyRing) private readonly keys: KeyRing,
    @inject(TokenSettings) private readonly settings: TokenSettings,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller & { sessionId: string }): Promise<IssuedAccessToken> {
    const { signer } = await this.keys.current();
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const { issuer, audience, ttlSeconds } = this.settings;
    const accessToken = await signer.sign({
      iss: issuer,
      aud: audience,
      sub: caller.userId,
      role: caller.role,
      sid: caller.sessionId,
      jti: this.ids.next(),
      iat,
      exp: iat + ttlSeconds,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: ttlSeconds };
  }
}
