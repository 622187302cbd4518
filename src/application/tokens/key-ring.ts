import { inject, injectable } from 'inversify';
import { Clock, type LogSink } from '../ports.js';
import {
  KeyCrypto,
  TokenKeyStore,
  TokenSettings,
  type PublicJwk,
  type StoredKey,
  type TokenKeyChanges,
  type TokenSigner,
} from './ports.js';
import { isEmptyPlan, planEarlyRotation, planRotation, signingKeyAt, type KeyPlan, type RotationPolicy } from './rotation-plan.js';

/** How long a verifier may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 600;
/** A new key is published this long before it signs: six times the JWKS cache age. */
export const PUBLICATION_LEAD_MS = 3_600_000;
/** A retired key stays published for the longest token lifetime (3600 s), and a minute of clock skew. */
export const RETAIN_MS = 3_660_000;
/** Each instance re-reads the keys at least this often, to publish keys another instance made. */
const REFRESH_MS = 60_000;

export const KeyRingLog = Symbol('KeyRingLog');

/** A key as an operator sees it: no key material. */
export type KeySummary = Pick<StoredKey, 'kid' | 'alg' | 'createdAt' | 'activatesAt' | 'retiresAt' | 'deleteAfter'>;

/** What an instance knows of the keys until `validUntil`. */
export interface KeyState {
  signer: TokenSigner;
  published: PublicJwk[];
  validUntil: Date;
}

/**
 * The signing keys as this instance uses them: read from the database, rotated when due (under the key guard,
 * so instances agree on one signing key), and kept in memory until the next change is due.
 */
@injectable()
export class KeyRing {
  private state?: KeyState;
  private refreshing?: Promise<KeyState>;
  /** Opened private keys by kid; null for a key that cannot be opened with this TOKEN_KEY_SECRET. */
  private readonly opened = new Map<string, TokenSigner | null>();

  constructor(
    @inject(TokenKeyStore) private readonly store: TokenKeyStore,
    @inject(KeyCrypto) private readonly crypto: KeyCrypto,
    @inject(TokenSettings) private readonly settings: { alg: RotationPolicy['alg']; rotationMs: number },
    @inject(Clock) private readonly clock: Clock,
    @inject(KeyRingLog) private readonly log: LogSink,
  ) {}

  async current(): Promise<KeyState> {
    if (this.state && this.clock.now() < this.state.validUntil) return this.state;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * An operator's rotation, ahead of the schedule: a new key is made now and published, and signs once verifiers
   * have had the publication lead to fetch it (the current key signs until then). When a successor is already
   * waiting, nothing is made. Every instance picks the change up at its next refresh. Returns the keys after it.
   */
  async rotateNow(): Promise<{ created: string | null; keys: KeySummary[] }> {
    const now = this.clock.now();
    const before = new Set((await this.store.all()).map((k) => k.kid));
    const keys = await this.store.exclusively(async (changes) => {
      const latest = await changes.all();
      await this.openAll(latest);
      await this.apply(changes, latest, planEarlyRotation(latest, this.usable, now, this.policy), now, 'operator');
      return changes.all();
    });
    this.state = undefined; // read again on next use
    const created = keys.find((k) => !before.has(k.kid))?.kid ?? null;
    return {
      created,
      keys: keys.map(({ kid, alg, createdAt, activatesAt, retiresAt, deleteAfter }) => ({
        kid,
        alg,
        createdAt,
        activatesAt,
        retiresAt,
        deleteAfter,
      })),
    };
  }

  private get policy(): RotationPolicy {
    return { alg: this.settings.alg, rotationMs: this.settings.rotationMs, leadMs: PUBLICATION_LEAD_MS, retainMs: RETAIN_MS };
  }

  private async refresh(): Promise<KeyState> {
    const now = this.clock.now();
    let keys = await this.store.all();
    await this.openAll(keys);
    if (!isEmptyPlan(planRotation(keys, this.usable, now, this.policy))) {
      keys = await this.store.exclusively(async (changes) => {
        const latest = await changes.all();
        await this.openAll(latest);
        await this.apply(changes, latest, planRotation(latest, this.usable, now, this.policy), now, 'system');
        return changes.all();
      });
      await this.openAll(keys);
    }
    this.state = this.stateOf(keys, now);
    return this.state;
  }

  private readonly usable = (key: StoredKey): boolean => Boolean(this.opened.get(key.kid));

  private async openAll(keys: StoredKey[]): Promise<void> {
    for (const key of keys) if (!this.opened.has(key.kid)) this.opened.set(key.kid, (await this.crypto.open(key)) ?? null);
  }

  /** `actor`: the operator's early rotation, or the service's own on schedule (or when a key cannot be read). */
  private async apply(changes: TokenKeyChanges, keys: StoredKey[], plan: KeyPlan, now: Date, actor: 'operator' | 'system'): Promise<void> {
    const { retainMs, alg } = this.policy;
    if (plan.remove.length) await changes.remove(plan.remove);
    for (const { kid, reason } of plan.retire) {
      if (reason === 'unreadable') {
        this.log.warn({ kid }, 'token signing key cannot be decrypted with TOKEN_KEY_SECRET: retired, a new key signs');
      }
      await changes.retire(kid, now, new Date(now.getTime() + retainMs));
    }
    if (!plan.create) return;
    const { activatesAt, succeeds } = plan.create;
    const made = await this.crypto.generate(alg);
    await changes.add({ ...made, alg, createdAt: now, activatesAt, retiresAt: null, deleteAfter: null });
    if (succeeds) await changes.retire(succeeds, activatesAt, new Date(activatesAt.getTime() + retainMs));
    this.log.info({ kid: made.kid, alg, activatesAt, succeeds: succeeds ?? null, keys: keys.length }, 'token signing key created');
    const details = { kid: made.kid, alg, activatesAt: activatesAt.toISOString(), succeeds: succeeds ?? null };
    await changes.audit.record({ type: 'token_key.rotated', outcome: 'success', actor, subjectId: null, details });
  }

  private stateOf(keys: StoredKey[], now: Date): KeyState {
    const key = signingKeyAt(keys, this.usable, this.settings.alg, now);
    if (!key) throw new Error('No token signing key after rotation'); // the plan always leaves one
    const published = keys.filter((k) => k.deleteAfter === null || k.deleteAfter > now).map((k) => k.publicJwk);
    const due = [
      now.getTime() + REFRESH_MS,
      key.activatesAt.getTime() + this.settings.rotationMs - PUBLICATION_LEAD_MS,
      ...keys.flatMap((k) => [k.activatesAt, k.retiresAt, k.deleteAfter]).map((d) => d?.getTime() ?? Infinity),
    ].filter((t) => t > now.getTime());
    return { signer: this.opened.get(key.kid)!, published, validUntil: new Date(Math.min(...due)) };
  }
}
