import type { StoredKey, TokenAlg } from './ports.js';

export interface RotationPolicy {
  alg: TokenAlg;
  rotationMs: number;
  /** How long a new key is published before it signs: longer than any verifier caches the JWKS. */
  leadMs: number;
  /** How long a retired key stays published: the longest token lifetime, and some clock skew. */
  retainMs: number;
}

export interface KeyPlan {
  /** Keys whose every token has expired: no longer published. */
  remove: string[];
  /** Keys that stop signing now: their private key cannot be opened, or they are of another algorithm. */
  retire: Array<{ kid: string; reason: 'unreadable' | 'algorithm' }>;
  /** A key to make, signing from `activatesAt`; `succeeds` signs until then. */
  create?: { activatesAt: Date; succeeds?: string };
}

const signsAt = (key: StoredKey, now: Date): boolean => key.activatesAt <= now && (key.retiresAt === null || key.retiresAt > now);

/** The key that signs at `now`: among those that may, the one that started last. */
export function signingKeyAt(
  keys: readonly StoredKey[],
  usable: (key: StoredKey) => boolean,
  alg: TokenAlg,
  now: Date,
): StoredKey | undefined {
  return keys
    .filter((k) => k.alg === alg && usable(k) && signsAt(k, now))
    .sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime())[0];
}

/**
 * What to change so that exactly one key signs at `now`, its successor is published a lead ahead of its
 * turn, and retired keys are unpublished once nothing they signed can still be valid. The same keys and time
 * give the same plan on every instance.
 */
export function planRotation(keys: readonly StoredKey[], usable: (key: StoredKey) => boolean, now: Date, policy: RotationPolicy): KeyPlan {
  const remove = keys.filter((k) => k.deleteAfter !== null && k.deleteAfter <= now).map((k) => k.kid);
  const kept = keys.filter((k) => !remove.includes(k.kid));
  const active = kept.filter((k) => k.retiresAt === null || k.retiresAt > now);
  const retire = active
    .filter((k) => !usable(k) || k.alg !== policy.alg)
    .map((k) => ({ kid: k.kid, reason: usable(k) ? ('algorithm' as const) : ('unreadable' as const) }));
  const candidates = active.filter((k) => !retire.some((r) => r.kid === k.kid));
  const signer = signingKeyAt(candidates, () => true, policy.alg, now);
  if (!signer) return { remove, retire, create: { activatesAt: now } };
  const pending = candidates.some((k) => k.activatesAt > now);
  const due = new Date(signer.activatesAt.getTime() + policy.rotationMs);
  if (!pending && now.getTime() >= due.getTime() - policy.leadMs) {
    const activatesAt = new Date(Math.max(due.getTime(), now.getTime() + policy.leadMs));
    return { remove, retire, create: { activatesAt, succeeds: signer.kid } };
  }
  return { remove, retire };
}

export const isEmptyPlan = (plan: KeyPlan): boolean => !plan.remove.length && !plan.retire.length && !plan.create;

/**
 * The plan of an operator's early rotation: what `planRotation` would do, and, when that makes no key and no
 * successor is waiting, a successor of the signing key now, signing once a lead has passed (verifiers must see it
 * published first).
 */
export function planEarlyRotation(
  keys: readonly StoredKey[],
  usable: (key: StoredKey) => boolean,
  now: Date,
  policy: RotationPolicy,
): KeyPlan {
  const plan = planRotation(keys, usable, now, policy);
  if (plan.create) return plan;
  const active = keys.filter(
    (k) => !plan.remove.includes(k.kid) && !plan.retire.some((r) => r.kid === k.kid) && (k.retiresAt === null || k.retiresAt > now),
  );
  if (active.some((k) => k.activatesAt > now)) return plan; // a successor is already published, waiting its turn
  const signer = signingKeyAt(active, usable, policy.alg, now);
  return { ...plan, create: { activatesAt: new Date(now.getTime() + policy.leadMs), succeeds: signer?.kid } };
}
