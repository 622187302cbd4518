/**
 * Example: verifying authsvc access tokens in another service, without calling authsvc per request.
 *
 * The service fetches authsvc's public keys (the JWKS) once and keeps them: jose's remote key set caches them
 * for `cacheMaxAge` (10 minutes by default) and refetches early only when a token names a key it does not know
 * (at most once per `cooldownDuration`). authsvc publishes a new key an hour before it signs with it, so a
 * verifier with a cache younger than that always knows the signing key in time, and rotations cause no
 * failures. Everything else is checked locally: the signature (ES256 or EdDSA only: never `none`, never an
 * HMAC algorithm), the `at+jwt` type, the issuer, the audience and the expiry.
 *
 * What a valid token tells you: `sub` (user id), `role`, `sid` (the session it came from). It stays valid until
 * `exp` even if the user logs out; to cut that short, consume `user.sessions_ended` events and refuse tokens
 * whose `sid` is listed (see docs/sessions-and-tokens.md, "Tokens for other services").
 *
 * Run: npx tsx examples/verify-access-token.ts http://localhost:3000 <accessToken>
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface VerifierOptions {
  /** authsvc's base URL (PUBLIC_URL); the keys are at /.well-known/jwks.json under it. */
  authsvcUrl: string;
  /** TOKEN_ISSUER of authsvc (its PUBLIC_URL by default). */
  issuer: string;
  /** The audience this service accepts (TOKEN_AUDIENCE of authsvc). */
  audience: string;
  /** How long fetched keys are kept, in ms (jose's default: 10 minutes). Keep it under an hour. */
  cacheMaxAge?: number;
  /** The least time between two fetches, in ms (jose's default: 30 s). */
  cooldownDuration?: number;
  /** The clock that expiry is checked against; the real one unless a test moves its own. */
  now?: () => Date;
}

export interface AccessToken {
  userId: string;
  role: string;
  sessionId: string;
  expiresAt: Date;
  claims: JWTPayload;
}

/** A verifier with its own cached key set: make one per process and reuse it for every request. */
export function accessTokenVerifier(options: VerifierOptions): (token: string) => Promise<AccessToken> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', options.authsvcUrl), {
    cacheMaxAge: options.cacheMaxAge,
    cooldownDuration: options.cooldownDuration,
  });
  return async (token) => {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ['ES256', 'EdDSA'],
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      currentDate: options.now?.(),
    });
    if (typeof payload.role !== 'string' || typeof payload.sid !== 'string') throw new Error('Not an authsvc access token');
    return { userId: payload.sub!, role: payload.role, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000), claims: payload };
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url = 'http://localhost:3000', token] = process.argv.slice(2);
  if (!token) {
    console.error('usage: npx tsx examples/verify-access-token.ts <authsvc URL> <accessToken>');
    process.exit(2);
  }
  const verify = accessTokenVerifier({
    authsvcUrl: url,
    issuer: process.env.TOKEN_ISSUER ?? url,
    audience: process.env.TOKEN_AUDIENCE ?? 'authsvc',
  });
  verify(token).then(
    (t) => console.log(t),
    (err: Error) => {
      console.error(`refused: ${err.message}`);
      process.exit(1);
    },
  );
}
