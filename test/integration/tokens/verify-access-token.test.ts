import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { exportSPKI, importJWK, SignJWT } from 'jose';
import request from 'supertest';
import { accessTokenVerifier } from '../../../examples/verify-access-token.js';
import { PUBLICATION_LEAD_MS } from '../../../src/application/tokens/key-ring.js';
import { FixedClock } from '../../fakes.js';
import { register } from '../http/helpers.js';
import { bearer, decodeJwt, instance, onBothDatabases, tokenLogin, type TokenApp } from './helpers.js';

const DAY = 86_400_000;
const ISSUER = 'http://localhost:3000';

onBothDatabases('the example downstream verifier (examples/verify-access-token.ts)', (suite) => {
  let svc: TokenApp, server: Server, url: string, session: string;
  let jwksFetches = 0;
  const clock = new FixedClock(new Date());

  before(async () => {
    await suite.db('token_keys').delete();
    svc = instance(suite.db, { clock });
    const handle = svc.app.callback();
    server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json') jwksFetches += 1;
      void handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ada = await register(svc.app);
    session = await tokenLogin(svc.app, ada);
    await suite.db('sessions').update({ expiresAt: Date.now() + 3_650 * DAY, absoluteExpiresAt: Date.now() + 3_650 * DAY });
  });
  after(async () => {
    // Never started when the suite is skipped (no database of its kind): nothing to close then.
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  const issue = async (): Promise<string> =>
    (
      await request(svc.app.callback())
        .post('/token')
        .set(...bearer(session))
        .expect(200)
    ).body.accessToken;
  const verifier = (options: { audience?: string; cacheMaxAge?: number; cooldownDuration?: number } = {}) =>
    accessTokenVerifier({ authsvcUrl: url, issuer: ISSUER, audience: options.audience ?? 'authsvc', now: () => clock.now(), ...options });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected the token to be refused'),
      (err: Error) => err,
    );

  it('verifies a valid token and tells who it is for', async () => {
    const token = await issue();
    const verified = await verifier()(token);
    const { payload } = decodeJwt(token);
    expect(verified).to.deep.include({ userId: payload.sub, role: 'user', sessionId: payload.sid });
  });

  it('refuses an expired token, a tampered one, and one for another audience', async () => {
    const verify = verifier();
    const token = await issue();
    await verify(token);
    const expired = accessTokenVerifier({
      authsvcUrl: url,
      issuer: ISSUER,
      audience: 'authsvc',
      now: () => new Date(clock.now().getTime() + 301_000),
    });
    expect((await refusal(expired(token))).name).to.equal('JWTExpired');

    const [h, p, s] = token.split('.');
    const admin = Buffer.from(JSON.stringify({ ...decodeJwt(token).payload, role: 'admin' })).toString('base64url');
    expect((await refusal(verify(`${h}.${admin}.${s}`))).name).to.equal('JWSSignatureVerificationFailed');
    // One character of the signature changed (not the last, whose low bits may be padding).
    const flipped = `${h}.${p}.${s!.slice(0, -2)}${s!.at(-2) === 'A' ? 'B' : 'A'}${s!.slice(-1)}`;
    expect(await refusal(verify(flipped))).to.be.an('error');

    expect((await refusal(verifier({ audience: 'billing' })(token))).name).to.equal('JWTClaimValidationFailed');
  });

  it("refuses alg none, and an HS256 token keyed with the service's public key", async () => {
    const verify = verifier();
    const token = await issue();
    const { header, payload } = decodeJwt(token);
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${encode({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${encode(payload)}.`;
    expect(await refusal(verify(none))).to.be.an('error');

    const { keys } = (await request(svc.app.callback()).get('/.well-known/jwks.json')).body;
    const publicJwk = keys.find((k: { kid: string }) => k.kid === header.kid);
    const pem = await exportSPKI((await importJWK(publicJwk, 'ES256')) as Parameters<typeof exportSPKI>[0]);
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const hs256 = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid as string })
        .sign(new TextEncoder().encode(secret));
      expect((await refusal(verify(hs256))).name).to.be.oneOf(['JOSEAlgNotAllowed', 'JWKSNoMatchingKey']);
    }
  });

  it('keeps verifying across a key rotation without a single failure, and without a refetch for an unknown key', async () => {
    // A cache that expires quickly in real time stands for jose's 10-minute cache against an hour's lead; the
    // long cooldown forbids the emergency refetch on an unknown kid, so success shows the key was known in time.
    const verify = verifier({ cacheMaxAge: 300, cooldownDuration: 3_600_000 });
    const pause = () => new Promise((resolve) => setTimeout(resolve, 350));
    const kids = new Set<string>();
    let verified = 0;
    const step = async () => {
      const token = await issue();
      kids.add(decodeJwt(token).header.kid as string);
      await verify(token);
      verified += 1;
    };
    await step();
    const before = jwksFetches;
    clock.advance(30 * DAY - PUBLICATION_LEAD_MS / 2); // the next key is published, not yet signing
    await step();
    await pause(); // the verifier's cache ages out and it refetches, seeing the next key
    await step();
    clock.advance(PUBLICATION_LEAD_MS); // the next key signs
    for (let i = 0; i < 5; i += 1) await step();
    expect(kids.size).to.equal(2);
    expect(verified).to.equal(8);
    // Only refetches of an aged cache (the cooldown rules out any other): the next key was in one of them.
    expect(jwksFetches - before).to.be.at.least(1);
  });
});
