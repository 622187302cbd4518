import { z } from 'zod';
import { int } from './env-fields.js';
import { TOKEN_ALGS, type TokenAlg } from '../application/tokens/ports.js';

// An origin only: passkeys are bound to it, and links in mail are built under it.
const httpUrl = z.url().refine((u) => /^https?:\/\/[^/?#]+\/?$/.test(u), 'must be an origin like https://auth.example.com (no path)');

/** The variables of signed access tokens and the service's public address. */
export const tokenVariables = {
  PUBLIC_URL: httpUrl.optional(),
  TOKEN_ISSUER: z.string().min(1).optional(),
  TOKEN_AUDIENCE: z.string().min(1).default('authsvc'),
  TOKEN_TTL_SECONDS: int(1, 3600).default(300),
  TOKEN_ALG: z.enum(TOKEN_ALGS as [TokenAlg, ...TokenAlg[]]).default('ES256'),
  TOKEN_KEY_SECRET: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  TOKEN_KEY_ROTATION_DAYS: int(1, 365).default(30),
};

export interface TokenEnv {
  /** The service's external base URL (no trailing slash), for token issuers and links. */
  publicUrl: string;
  tokens: {
    issuer: string;
    audience: string;
    ttlSeconds: number;
    alg: TokenAlg;
    rotationMs: number;
    /** undefined outside production: a random secret is made for this process. */
    keySecret: string | undefined;
  };
}

interface Parsed {
  PORT: number;
  PUBLIC_URL?: string;
  TOKEN_ISSUER?: string;
  TOKEN_AUDIENCE: string;
  TOKEN_TTL_SECONDS: number;
  TOKEN_ALG: TokenAlg;
  TOKEN_KEY_SECRET?: string;
  TOKEN_KEY_ROTATION_DAYS: number;
}

export function tokenEnv(e: Parsed): TokenEnv {
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    publicUrl,
    tokens: {
      issuer: e.TOKEN_ISSUER ?? publicUrl,
      audience: e.TOKEN_AUDIENCE,
      ttlSeconds: e.TOKEN_TTL_SECONDS,
      alg: e.TOKEN_ALG,
      rotationMs: e.TOKEN_KEY_ROTATION_DAYS * 86_400_000,
      keySecret: e.TOKEN_KEY_SECRET,
    },
  };
}
