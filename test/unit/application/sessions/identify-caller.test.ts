import { expect } from 'chai';
import { IdentifyCaller, type Credential } from '../../../../src/application/sessions/identify-caller.js';
import type { AccessTokenClaims } from '../../../../src/application/tokens/ports.js';
import { anAdmin, aUser } from '../../../builders.js';
import { FixedClock, InMemoryUnitOfWork } from '../../../fakes.js';

/** Tokens this fake "signed": a token is its claims' jti; anything else reads as undefined, like a bad signature. */
const claimsFor = (sub: string, sid: string, role = 'user'): AccessTokenClaims => ({
  iss: 'http://localhost:3000',
  aud: 'authsvc',
  sub,
  role,
  sid,
  jti: `token-of-${sub}-${sid}`,
  iat: 0,
  exp: 300,
});

async function setup() {
  const uow = new InMemoryUnitOfWork();
  await uow.users.add(aUser({ id: 'ada-id', username: 'ada' }));
  await uow.users.add(anAdmin({ id: 'root-id', username: 'root' }));
  const issued = new Map<string, AccessTokenClaims>();
  const issue = (claims: AccessTokenClaims) => (issued.set(claims.jti, claims), claims.jti);
  const tokens = { execute: async (token: string) => issued.get(token) };
  const identify = new IdentifyCaller(uow.users, uow.sessions, tokens, new FixedClock());
  const disable = async (id: string) => {
    const user = (await uow.users.findById(id))!;
    user.changeStatus('disabled', null, new Date());
    await uow.users.update(user);
  };
  return { uow, issue, identify, disable };
}

const session = (userId: string, sessionId = `${userId}-laptop`): Credential => ({ kind: 'session', userId, sessionId, via: 'cookie' });
const token = (value: string): Credential => ({ kind: 'access-token', token: value });

describe('IdentifyCaller', () => {
  it("names a session's user with the role as stored now, the account's view and the session", async () => {
    const { identify } = await setup();
    const caller = await identify.execute({ credential: session('root-id'), changesState: true });
    expect(caller).to.deep.include({ userId: 'root-id', role: 'admin', sessionId: 'root-id-laptop', via: 'cookie' });
    expect(caller?.user).to.include({ id: 'root-id', username: 'root', status: 'active' });
  });

  it('refuses a session whose account is gone or disabled', async () => {
    const { uow, identify, disable } = await setup();
    await disable('ada-id');
    expect(await identify.execute({ credential: session('ada-id'), changesState: false })).to.equal(undefined);
    await uow.users.remove('root-id');
    expect(await identify.execute({ credential: session('root-id'), changesState: false })).to.equal(undefined);
  });

  it('takes the role from the database, not from the access token', async () => {
    const { uow, issue, identify } = await setup();
    uow.sessions.start('ada-id', 'ada-cli');
    const forged = issue(claimsFor('ada-id', 'ada-cli', 'admin'));
    const caller = await identify.execute({ credential: token(forged), changesState: false });
    expect(caller).to.deep.include({ userId: 'ada-id', role: 'user', sessionId: 'ada-cli', via: 'access-token' });
  });

  it('refuses a token it cannot read', async () => {
    const { identify } = await setup();
    expect(await identify.execute({ credential: token('not.a.token'), changesState: false })).to.equal(undefined);
  });

  it('lets a token read after its session ended, but change nothing', async () => {
    const { uow, issue, identify } = await setup();
    uow.sessions.start('ada-id', 'ada-cli');
    const value = issue(claimsFor('ada-id', 'ada-cli'));
    expect(await identify.execute({ credential: token(value), changesState: true })).to.not.equal(undefined);
    await uow.sessions.endOne('ada-id', 'ada-cli');
    expect(await identify.execute({ credential: token(value), changesState: false })).to.not.equal(undefined);
    expect(await identify.execute({ credential: token(value), changesState: true })).to.equal(undefined);
  });

  it("refuses a disabled account's token at once, for a read too", async () => {
    const { uow, issue, identify, disable } = await setup();
    uow.sessions.start('ada-id', 'ada-cli');
    const value = issue(claimsFor('ada-id', 'ada-cli'));
    await disable('ada-id');
    expect(await identify.execute({ credential: token(value), changesState: false })).to.equal(undefined);
  });
});
