import { expect } from 'chai';
import request from 'supertest';
import { PUBLICATION_LEAD_MS, RETAIN_MS } from '../../../src/application/tokens/key-ring.js';
import { FixedClock } from '../../fakes.js';
import { register } from '../http/helpers.js';
import { bearer, decodeJwt, instance, onBothDatabases, tokenLogin, type TokenApp } from './helpers.js';

const DAY = 86_400_000;

onBothDatabases('token signing key rotation across instances', (suite) => {
  beforeEach(async () => {
    await suite.db('token_keys').delete();
  });

  /** Signs a token on the instance and returns the kid it was signed with. */
  async function signedKid(svc: TokenApp, session: string): Promise<string> {
    const res = await request(svc.app.callback())
      .post('/token')
      .set(...bearer(session))
      .expect(200);
    return decodeJwt(res.body.accessToken).header.kid as string;
  }
  async function published(svc: TokenApp): Promise<string[]> {
    return (await request(svc.app.callback()).get('/.well-known/jwks.json').expect(200)).body.keys.map((k: { kid: string }) => k.kid);
  }

  it('makes one key when two instances start at once, and both sign with it', async () => {
    const clock = new FixedClock(new Date());
    const [a, b, c] = [instance(suite.db, { clock }), instance(suite.db, { clock }), instance(suite.db, { clock })];
    const ada = await register(a.app);
    const session = await tokenLogin(a.app, ada);
    const kids = await Promise.all([a, b, c, a, b, c].map((svc) => signedKid(svc, session)));
    expect(new Set(kids).size).to.equal(1);
    expect(await suite.db('token_keys').count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) === 1);
    // The key's making is in the audit trail once, by the service itself, in the transaction that made it.
    const rotations = await suite.db('audit').where({ type: 'token_key.rotated' }).where('details', 'like', `%${kids[0]}%`);
    expect(rotations.map((e) => [e.actor, e.subjectId, JSON.parse(String(e.details)).kid])).to.deep.equal([['system', null, kids[0]]]);
  });

  it('publishes the next key a lead ahead, switches every instance at once, and unpublishes the old one after its tokens expire', async () => {
    const clock = new FixedClock(new Date());
    const [a, b] = [instance(suite.db, { clock }), instance(suite.db, { clock })];
    const ada = await register(a.app);
    const session = await tokenLogin(a.app, ada);
    // Sessions live by the real clock; keep this one alive however far the fake clock moves.
    await suite.db('sessions').update({ expiresAt: Date.now() + 3_650 * DAY, absoluteExpiresAt: Date.now() + 3_650 * DAY });
    const first = await signedKid(a, session);
    expect(await signedKid(b, session)).to.equal(first);

    // Just before the lead: nothing changes.
    clock.advance(30 * DAY - PUBLICATION_LEAD_MS - 1_000);
    expect(await published(b)).to.deep.equal([first]);
    // Within the lead: a second key is published by every instance, but the first one still signs.
    clock.advance(2_000);
    const [onA, onB] = [await published(a), await published(b)];
    expect(onA).to.have.length(2);
    expect(onB).to.have.members(onA);
    const second = onA.find((kid) => kid !== first)!;
    expect(await signedKid(a, session)).to.equal(first);
    expect(await signedKid(b, session)).to.equal(first);
    expect(await suite.db('token_keys').count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) === 2);

    // At its turn, both instances sign with the second; the first stays published for the tokens it signed.
    clock.advance(PUBLICATION_LEAD_MS);
    expect(await signedKid(a, session)).to.equal(second);
    expect(await signedKid(b, session)).to.equal(second);
    expect(await published(a)).to.have.members([first, second]);

    // Once every token of the first key has expired, it is deleted and no longer published.
    clock.advance(RETAIN_MS + 1_000);
    expect(await published(a)).to.deep.equal([second]);
    expect(await published(b)).to.deep.equal([second]);
    expect((await suite.db('token_keys').select('kid')).map((r: { kid: string }) => r.kid)).to.deep.equal([second]);
  });

  it('retires keys it cannot decrypt after TOKEN_KEY_SECRET changed, with a warning, and keeps serving', async () => {
    const clock = new FixedClock(new Date());
    const before = instance(suite.db, { clock });
    const ada = await register(before.app);
    const session = await tokenLogin(before.app, ada);
    const oldKid = await signedKid(before, session);
    const oldToken = (
      await request(before.app.callback())
        .post('/token')
        .set(...bearer(session))
        .expect(200)
    ).body.accessToken;

    const after = instance(suite.db, { clock, env: { TOKEN_KEY_SECRET: 'Zx9Lk2Mn5Bv8Cq1Wr4Ty7Ui0Op3As6DfG' } });
    const newKid = await signedKid(after, session);
    expect(newKid).to.not.equal(oldKid);
    expect(after.log.lines.filter((l) => l.level === 'warn').map((l) => l.obj)).to.deep.equal([{ kid: oldKid }]);
    // The old key stays published, so tokens it signed keep verifying until they expire.
    expect(await published(after)).to.have.members([oldKid, newKid]);
    await request(after.app.callback())
      .get('/users/me')
      .set(...bearer(oldToken))
      .expect(200);
    const row = await suite.db('token_keys').where({ kid: oldKid }).first('retiresAt');
    expect(Number(row.retiresAt)).to.equal(clock.now().getTime());
  });

  it('retires the keys of another algorithm when TOKEN_ALG changes', async () => {
    const clock = new FixedClock(new Date());
    const es = instance(suite.db, { clock });
    const ada = await register(es.app);
    const session = await tokenLogin(es.app, ada);
    const esKid = await signedKid(es, session);
    const ed = instance(suite.db, { clock, env: { TOKEN_ALG: 'EdDSA' } });
    const res = await request(ed.app.callback())
      .post('/token')
      .set(...bearer(session))
      .expect(200);
    expect(decodeJwt(res.body.accessToken).header).to.include({ alg: 'EdDSA' });
    expect(await published(ed)).to.include(esKid);
    expect(ed.log.lines.filter((l) => l.level === 'warn')).to.deep.equal([]);
  });
});
