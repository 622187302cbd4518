import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { CreateUser } from '../../../src/application/accounts/create-user.js';
import { JWKS_MAX_AGE_SECONDS, PUBLICATION_LEAD_MS } from '../../../src/application/tokens/key-ring.js';
import { PASSWORD, credentials, expectProblem, register, sessionCookieHeader, uniqueName } from '../http/helpers.js';
import { bearer, decodeJwt, instance, onBothDatabases, tokenLogin, type TokenApp } from './helpers.js';

onBothDatabases('signed access tokens', (suite) => {
  let svc: TokenApp;
  before(() => {
    svc = instance(suite.db);
  });
  const call = () => request(svc.app.callback());
  const issue = async (auth: [string, string], app = svc.app) =>
    (
      await request(app.callback())
        .post('/token')
        .set(...auth)
        .expect(200)
    ).body;

  it('issues an RFC 9068 access token for the caller’s session, with exactly the agreed claims', async () => {
    const ada = await register(svc.app);
    const session = await tokenLogin(svc.app, ada);
    const res = await call()
      .post('/token')
      .set(...bearer(session))
      .expect(200);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body).to.have.all.keys('accessToken', 'tokenType', 'expiresIn');
    expect(res.body).to.include({ tokenType: 'Bearer', expiresIn: 300 });

    const { header, payload } = decodeJwt(res.body.accessToken);
    expect(header).to.have.all.keys('alg', 'typ', 'kid');
    expect(header).to.include({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).to.have.all.keys('iss', 'aud', 'sub', 'role', 'sid', 'jti', 'iat', 'exp');
    const sessionId = (
      await call()
        .get('/sessions')
        .set(...bearer(session))
    ).body.sessions[0].id;
    expect(payload).to.include({ iss: 'http://localhost:3000', aud: 'authsvc', sub: ada.id, role: 'user', sid: sessionId });
    expect(payload.exp).to.equal((payload.iat as number) + 300);
    expect(Math.abs((payload.iat as number) - svc.clock.now().getTime() / 1000)).to.be.lessThan(2);
    const second = decodeJwt((await issue(bearer(session))).accessToken).payload;
    expect(second.jti).to.not.equal(payload.jti);

    // It verifies against the published keys, as another service would.
    const jwks = (await call().get('/.well-known/jwks.json').expect(200)).body;
    const { payload: verified } = await jwtVerify(res.body.accessToken, createLocalJWKSet(jwks), {
      issuer: 'http://localhost:3000',
      audience: 'authsvc',
      typ: 'at+jwt',
      currentDate: svc.clock.now(),
    });
    expect(verified.sub).to.equal(ada.id);
  });

  it('issues one for a cookie session too, and refuses callers without a session or with only an access token', async () => {
    const ada = await register(svc.app);
    const login = await call().post('/login').send(credentials(ada)).expect(200);
    const { accessToken } = await issue(['Cookie', sessionCookieHeader(login)]);
    expect(decodeJwt(accessToken).payload.sub).to.equal(ada.id);
    expectProblem(await call().post('/token'), 401, 'not-authenticated');
    expectProblem(
      await call()
        .post('/token')
        .set(...bearer(accessToken)),
      401,
      'not-authenticated',
    );
  });

  it('follows TOKEN_ALG, TOKEN_TTL_SECONDS, TOKEN_ISSUER and TOKEN_AUDIENCE', async () => {
    await suite.db('token_keys').delete();
    const other = instance(suite.db, {
      env: { TOKEN_ALG: 'EdDSA', TOKEN_TTL_SECONDS: '60', PUBLIC_URL: 'https://auth.example.com', TOKEN_AUDIENCE: 'api' },
    });
    const ada = await register(other.app);
    const res = await request(other.app.callback())
      .post('/token')
      .set(...bearer(await tokenLogin(other.app, ada)))
      .expect(200);
    expect(res.body.expiresIn).to.equal(60);
    const { header, payload } = decodeJwt(res.body.accessToken);
    expect(header.alg).to.equal('EdDSA');
    expect(payload).to.include({ iss: 'https://auth.example.com', aud: 'api' });
    expect(payload.exp).to.equal((payload.iat as number) + 60);
    const { keys } = (await request(other.app.callback()).get('/.well-known/jwks.json')).body;
    const current = keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(current).to.include({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    await suite.db('token_keys').delete();
  });

  it('publishes only public keys, cacheable for less than a new key’s publication lead', async () => {
    const ada = await register(svc.app);
    await issue(bearer(await tokenLogin(svc.app, ada)));
    const res = await call().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).to.equal(`public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    expect(JWKS_MAX_AGE_SECONDS * 1000).to.be.lessThan(PUBLICATION_LEAD_MS);
    expect(res.body.keys).to.not.be.empty;
    for (const key of res.body.keys) {
      expect(key).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).to.not.have.property('d'); // no private part
    }
    // At rest the private key is sealed, not a JWK.
    for (const row of await suite.db('token_keys').select('sealedPrivateKey')) {
      expect(row.sealedPrivateKey).to.match(/^v1\./);
      expect(row.sealedPrivateKey).to.not.include('"d"');
    }
  });

  it('accepts an access token for reads on its own endpoints; a state change needs its session still live', async () => {
    const adminName = uniqueName('admin');
    await svc.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    const adminSession = await tokenLogin(svc.app, { username: adminName, password: PASSWORD });
    const { accessToken } = await issue(bearer(adminSession));
    const ada = await register(svc.app);

    expect(
      (
        await call()
          .get('/users/me')
          .set(...bearer(accessToken))
          .expect(200)
      ).body.username,
    ).to.equal(adminName);
    await call()
      .get(`/users/${ada.id}`)
      .set(...bearer(accessToken))
      .expect(200);
    const listed = await call()
      .get('/sessions')
      .set(...bearer(accessToken))
      .expect(200);
    expect(listed.body.sessions.filter((s: { current: boolean }) => s.current)).to.have.length(1);
    await call()
      .put(`/users/${ada.id}/role`)
      .set(...bearer(accessToken))
      .send({ role: 'admin' })
      .expect(200);

    await call()
      .post('/logout')
      .set(...bearer(adminSession))
      .expect(204);
    // The token still reads until it expires...
    await call()
      .get('/users/me')
      .set(...bearer(accessToken))
      .expect(200);
    // ...but changes nothing once its session has ended.
    expectProblem(
      await call()
        .put(`/users/${ada.id}/role`)
        .set(...bearer(accessToken))
        .send({ role: 'user' }),
      401,
      'not-authenticated',
    );
    expectProblem(
      await call()
        .delete('/sessions')
        .set(...bearer(accessToken)),
      401,
      'not-authenticated',
    );
  });

  it('refuses a disabled account’s access token at once, even for a read', async () => {
    const adminName = uniqueName('admin');
    await svc.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    const admin = await tokenLogin(svc.app, { username: adminName, password: PASSWORD });
    const ada = await register(svc.app);
    const { accessToken } = await issue(bearer(await tokenLogin(svc.app, ada)));
    await call()
      .get('/users/me')
      .set(...bearer(accessToken))
      .expect(200);
    await call()
      .put(`/users/${ada.id}/status`)
      .set(...bearer(admin))
      .send({ status: 'disabled' })
      .expect(200);
    expectProblem(
      await call()
        .get('/users/me')
        .set(...bearer(accessToken)),
      401,
      'not-authenticated',
    );
  });

  it('reflects a role change at once, whatever the token says', async () => {
    const adminName = uniqueName('admin');
    await svc.container.get(CreateUser).execute({ username: adminName, password: PASSWORD, role: 'admin' }, 'system');
    const admin = await tokenLogin(svc.app, { username: adminName, password: PASSWORD });
    const ada = await register(svc.app);
    await call()
      .put(`/users/${ada.id}/role`)
      .set(...bearer(admin))
      .send({ role: 'admin' })
      .expect(200);
    const { accessToken } = await issue(bearer(await tokenLogin(svc.app, ada)));
    expect(decodeJwt(accessToken).payload.role).to.equal('admin');
    await call()
      .put(`/users/${ada.id}/role`)
      .set(...bearer(admin))
      .send({ role: 'user' })
      .expect(200);
    expectProblem(
      await call()
        .get('/users')
        .set(...bearer(accessToken)),
      403,
      'forbidden',
    );
  });

  it('refuses an expired, altered or foreign token with 401', async () => {
    const ada = await register(svc.app);
    const session = await tokenLogin(svc.app, ada);
    const { accessToken } = await issue(bearer(session));
    const [h, p, s] = accessToken.split('.');
    const forged = { ...decodeJwt(accessToken).payload, role: 'admin' };
    const altered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    expectProblem(
      await call()
        .get('/users/me')
        .set(...bearer(altered)),
      401,
      'not-authenticated',
    );
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expectProblem(
      await call()
        .get('/users/me')
        .set(...bearer(`${noneHeader}.${p}.`)),
      401,
      'not-authenticated',
    );
    const audience = instance(suite.db, { env: { TOKEN_AUDIENCE: 'another-service' }, clock: svc.clock });
    expectProblem(
      await request(audience.app.callback())
        .get('/users/me')
        .set(...bearer(accessToken)),
      401,
      'not-authenticated',
    );

    await call()
      .get('/users/me')
      .set(...bearer(accessToken))
      .expect(200);
    svc.clock.advance(301_000);
    expectProblem(
      await call()
        .get('/users/me')
        .set(...bearer(accessToken)),
      401,
      'not-authenticated',
    );
  });
});
