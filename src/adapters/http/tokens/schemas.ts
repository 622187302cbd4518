import { z } from 'zod';

export const accessTokenResult = z.object({
  accessToken: z.string().describe('A JWT (RFC 9068, typ at+jwt): iss, aud, sub, role, sid, jti, iat, exp'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until it expires (TOKEN_TTL_SECONDS)'),
});

export const jwks = z.object({
  keys: z.array(z.object({ kid: z.string(), kty: z.string(), alg: z.enum(['ES256', 'EdDSA']), use: z.literal('sig') }).loose()),
});
