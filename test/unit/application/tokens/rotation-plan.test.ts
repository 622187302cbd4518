import { expect } from 'chai';
import type { StoredKey } from '../../../../src/application/tokens/ports.js';
import { planRotation, signingKeyAt, type RotationPolicy } from '../../../../src/application/tokens/rotation-plan.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const policy: RotationPolicy = { alg: 'ES256', rotationMs: 30 * DAY, leadMs: HOUR, retainMs: 2 * HOUR };
const key = (kid: string, spec: Partial<StoredKey> = {}): StoredKey => ({
  kid,
  alg: 'ES256',
  publicJwk: { kid, alg: 'ES256' },
  sealedPrivateKey: 'sealed',
  createdAt: T0,
  activatesAt: T0,
  retiresAt: null,
  deleteAfter: null,
  ...spec,
});
const usable = () => true;

describe('planRotation', () => {
  it('makes a key that signs at once when there is none', () => {
    expect(planRotation([], usable, T0, policy)).to.deep.equal({ remove: [], retire: [], create: { activatesAt: T0 } });
  });

  it('changes nothing while the signing key is young', () => {
    expect(planRotation([key('a')], usable, at(30 * DAY - HOUR - 1), policy)).to.deep.equal({ remove: [], retire: [] });
  });

  it('makes the successor a lead before the rotation is due, signing from the due time', () => {
    const plan = planRotation([key('a')], usable, at(30 * DAY - HOUR), policy);
    expect(plan.create).to.deep.equal({ activatesAt: at(30 * DAY), succeeds: 'a' });
  });

  it('gives a late successor the full lead (an instance that was down at the due time)', () => {
    const plan = planRotation([key('a')], usable, at(40 * DAY), policy);
    expect(plan.create).to.deep.equal({ activatesAt: at(40 * DAY + HOUR), succeeds: 'a' });
  });

  it('makes no second successor while one is published and waiting', () => {
    const keys = [key('a', { retiresAt: at(30 * DAY) }), key('b', { createdAt: at(30 * DAY - HOUR), activatesAt: at(30 * DAY) })];
    expect(planRotation(keys, usable, at(30 * DAY - 1), policy)).to.deep.equal({ remove: [], retire: [] });
    expect(signingKeyAt(keys, usable, 'ES256', at(30 * DAY - 1))!.kid).to.equal('a');
    expect(signingKeyAt(keys, usable, 'ES256', at(30 * DAY))!.kid).to.equal('b');
  });

  it('removes retired keys once their deleteAfter has passed, not before', () => {
    const keys = [key('a', { retiresAt: at(DAY), deleteAfter: at(DAY + 2 * HOUR) }), key('b', { activatesAt: at(DAY) })];
    expect(planRotation(keys, usable, at(DAY + 2 * HOUR - 1), policy).remove).to.deep.equal([]);
    expect(planRotation(keys, usable, at(DAY + 2 * HOUR), policy).remove).to.deep.equal(['a']);
  });

  it('retires a key it cannot open, and one of another algorithm, and makes a new signing key', () => {
    const keys = [key('sealed-elsewhere'), key('ed', { alg: 'EdDSA' })];
    const plan = planRotation(keys, (k) => k.kid !== 'sealed-elsewhere', at(HOUR), policy);
    expect(plan.retire).to.deep.equal([
      { kid: 'sealed-elsewhere', reason: 'unreadable' },
      { kid: 'ed', reason: 'algorithm' },
    ]);
    expect(plan.create).to.deep.equal({ activatesAt: at(HOUR) });
  });
});
