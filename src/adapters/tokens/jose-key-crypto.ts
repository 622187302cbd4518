import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { AccessTokenClaims, KeyCrypto, PublicJwk, StoredKey, TokenAlg, TokenSigner } from '../../application/tokens/ports.js';
import type { AesGcmSecretBox } from './aes-gcm-secret-box.js';

/** Only these are ever accepted: never `none`, never an HMAC algorithm (a public key is not a shared secret). */
const ACCEPTED_ALGS = ['ES256', 'EdDSA'];

/** Key pairs, signing and verification with jose; private keys sealed with the secret box. */
export class JoseKeyCrypto implements KeyCrypto {
  /** The local key set of each published list, built once per list. */
  private readonly sets = new WeakMap<readonly PublicJwk[], ReturnType<typeof createLocalJWKSet>>();

  constructor(private readonly box: AesGcmSecretBox) {}

  async generate(alg: TokenAlg): Promise<{ kid: string; publicJwk: PublicJwk; sealedPrivateKey: string }> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' && { crv: 'Ed25519' }) });
    const pub = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(pub, 'sha256'); // RFC 7638: the key names itself
    const sealedPrivateKey = this.box.seal(JSON.stringify(await exportJWK(privateKey)), kid);
    return { kid, publicJwk: { ...pub, kid, alg, use: 'sig' }, sealedPrivateKey };
  }

  async open(key: StoredKey): Promise<TokenSigner | undefined> {
    let privateKey: Awaited<ReturnType<typeof importJWK>>;
    try {
      const jwk = JSON.parse(this.box.open(key.sealedPrivateKey, key.kid)) as JWK;
      privateKey = await importJWK(jwk, key.alg);
    } catch {
      return undefined;
    }
    const { kid, alg } = key;
    return {
      kid,
      sign: ({ iss, aud, sub, role, sid, jti, iat, exp }: AccessTokenClaims) =>
        new SignJWT({ role, sid })
          .setProtectedHeader({ alg, typ: 'at+jwt', kid })
          .setIssuer(iss)
          .setAudience(aud)
          .setSubject(sub)
          .setJti(jti)
          .setIssuedAt(iat)
          .setExpirationTime(exp)
          .sign(privateKey),
    };
  }

  async verify(
    token: string,
    published: readonly PublicJwk[],
    expected: { issuer: string; audience: string; now: Date },
  ): Promise<AccessTokenClaims | undefined> {
    let set = this.sets.get(published);
    if (!set) this.sets.set(published, (set = createLocalJWKSet({ keys: published as JWK[] })));
    try {
      const { payload } = await jwtVerify(token, set, {
        issuer: expected.issuer,
        audience: expected.audience,
        typ: 'at+jwt',
        algorithms: ACCEPTED_ALGS,
        currentDate: expected.now,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      const { sub, role, sid, jti, iat, exp } = payload;
      if (typeof role !== 'string' || typeof sid !== 'string') return undefined;
      return { iss: expected.issuer, aud: expected.audience, sub: sub!, role, sid, jti: jti!, iat: iat!, exp: exp! };
    } catch {
      return undefined; // expired, altered, another issuer or audience, an unknown key: all the same refusal
    }
  }
}
