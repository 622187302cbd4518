import { inject, injectable } from 'inversify';
import { Clock } from '../ports.js';
import { KeyRing } from './key-ring.js';
import { KeyCrypto, TokenSettings, type AccessTokenClaims, type PublicJwk } from './ports.js';

/** Checks an access token presented to this service, as any other service would: against the published keys. */
@injectable()
export class ReadAccessToken {
  constructor(
    @inject(KeyRing) private readonly keys: KeyRing,
    @inject(KeyCrypto) private readonly crypto: KeyCrypto,
    @inject(TokenSettings) private readonly settings: TokenSettings,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** The token's claims when this service signed it, for this audience, and it has not expired; else undefined. */
  async execute(token: string): Promise<AccessTokenClaims | undefined> {
    const { published } = await this.keys.current();
    const { issuer, audience } = this.settings;
    return this.crypto.verify(token, published, { issuer, audience, now: this.clock.now() });
  }

  /** The public keys to publish (JWKS). */
  async published(): Promise<PublicJwk[]> {
    return (await this.keys.current()).published;
  }
}
