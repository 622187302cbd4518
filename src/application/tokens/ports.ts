import type { AuditLog } from '../audit/ports.js';
/** Signature algorithms the service signs access tokens with: ES256 (the default, widest support) or Ed25519. */
export type TokenAlg = 'ES256' | 'EdDSA';
export const TOKEN_ALGS: readonly TokenAlg[] = ['ES256', 'EdDSA'];

/** The claims of an access token (RFC 9068). Nothing else about the user goes in it. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  role: string;
  /** The public id of the session the token was issued from. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  alg: TokenAlg;
  rotationMs: number;
}

/** A public key as the JWKS publishes it. */
export type PublicJwk = Record<string, unknown> & { kid: string; alg: string };

/**
 * A signing key as stored. It is published from `createdAt`, signs from `activatesAt`, signs no more from
 * `retiresAt`, and is deleted (no longer published) after `deleteAfter`.
 */
export interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: PublicJwk;
  /** The private key, sealed under TOKEN_KEY_SECRET. */
  sealedPrivateKey: string;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  deleteAfter: Date | null;
}

/** The keys, changed only inside `exclusively`. */
export interface TokenKeyChanges {
  /** The audit trail, written in the same transaction as the keys. */
  readonly audit: AuditLog;
  all(): Promise<StoredKey[]>;
  add(key: StoredKey): Promise<void>;
  retire(kid: string, retiresAt: Date, deleteAfter: Date): Promise<void>;
  remove(kids: string[]): Promise<void>;
}

export interface TokenKeyStore {
  all(): Promise<StoredKey[]>;
  /**
   * Runs `work` in one transaction that holds the key guard: across every instance on the database, one at a
   * time changes the keys, and each sees what the one before committed.
   */
  exclusively<T>(work: (keys: TokenKeyChanges) => Promise<T>): Promise<T>;
}

/** Signs with one key. */
export interface TokenSigner {
  readonly kid: string;
  sign(claims: AccessTokenClaims): Promise<string>;
}

/** Makes key pairs and opens stored ones (the private key is sealed at rest). */
export interface KeyCrypto {
  generate(alg: TokenAlg): Promise<{ kid: string; publicJwk: PublicJwk; sealedPrivateKey: string }>;
  /** A signer for the key, or undefined when its private key cannot be opened (TOKEN_KEY_SECRET changed). */
  open(key: StoredKey): Promise<TokenSigner | undefined>;
  /** The claims of a token signed by one of the published keys, valid at `now`; undefined for anything else. */
  verify(
    token: string,
    published: readonly PublicJwk[],
    expected: { issuer: string; audience: string; now: Date },
  ): Promise<AccessTokenClaims | undefined>;
}

export const TokenSettings = Symbol('TokenSettings');
export const TokenKeyStore = Symbol('TokenKeyStore');
export const KeyCrypto = Symbol('KeyCrypto');
