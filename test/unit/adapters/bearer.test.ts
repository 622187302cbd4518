import { expect } from 'chai';
import { bearerOf } from '../../../src/adapters/http/sessions/bearer.js';

describe('bearerOf', () => {
  const ctx = (authorization?: string) => ({ get: (name: string) => (name === 'Authorization' ? (authorization ?? '') : '') }) as never;
  it('tells a session token from an access token (a JWT) and ignores other schemes', () => {
    expect(bearerOf(ctx('Bearer abc_DEF-123'))).to.deep.equal({ kind: 'session', value: 'abc_DEF-123' });
    expect(bearerOf(ctx('bearer aaa.bbb.ccc'))).to.deep.equal({ kind: 'access', value: 'aaa.bbb.ccc' });
    expect(bearerOf(ctx('Basic dXNlcjpwYXNz'))).to.equal(undefined);
    expect(bearerOf(ctx('Bearer two words'))).to.equal(undefined);
    expect(bearerOf(ctx())).to.equal(undefined);
  });
});
