import type {
  AssertionOutcome,
  ChallengePurpose,
  ChallengeStore,
  CodeThrottle,
  MfaStores,
  MfaTxScope,
  MfaUnitOfWork,
  NewPasskey,
  PasskeyOptions,
  Passkeys,
  PasskeyStore,
  RecoveryCodeStore,
  StoredPasskey,
  TotpRecord,
  TotpStore,
} from '../src/application/mfa/ports.js';
import type { DomainEvent } from '../src/domain/events.js';
import { TooManyAttempts } from '../src/domain/errors.js';
import type { InMemoryUnitOfWork } from './fakes.js';

// In-memory second-factor stores: the same contracts as the knex adapters (conditional updates included),
// for the use-case tests. Transactions are not rolled back here; the database suites cover that.

export class InMemoryTotp implements TotpStore {
  readonly rows = new Map<string, TotpRecord>();
  async find(userId: string) {
    const row = this.rows.get(userId);
    return row && { ...row };
  }
  async savePending(userId: string, secretSealed: string) {
    if (this.rows.get(userId)?.confirmed) return false;
    this.rows.set(userId, { userId, secretSealed, confirmed: false, lastUsedStep: 0 });
    return true;
  }
  async confirm(userId: string, step: number) {
    const row = this.rows.get(userId);
    if (!row || row.confirmed) return false;
    Object.assign(row, { confirmed: true, lastUsedStep: step });
    return true;
  }
  async useStep(userId: string, step: number) {
    const row = this.rows.get(userId);
    if (!row?.confirmed || row.lastUsedStep >= step) return false;
    row.lastUsedStep = step;
    return true;
  }
  async remove(userId: string) {
    const confirmed = Boolean(this.rows.get(userId)?.confirmed);
    this.rows.delete(userId);
    return confirmed;
  }
}

export class InMemoryRecoveryCodes implements RecoveryCodeStore {
  readonly rows = new Map<string, { hash: string; used: boolean }[]>();
  async replace(userId: string, hashes: string[]) {
    this.rows.set(
      userId,
      hashes.map((hash) => ({ hash, used: false })),
    );
  }
  async use(userId: string, hash: string) {
    const row = this.rows.get(userId)?.find((r) => r.hash === hash && !r.used);
    if (!row) return false;
    row.used = true;
    return true;
  }
  async remaining(userId: string) {
    return (this.rows.get(userId) ?? []).filter((r) => !r.used).length;
  }
  async removeAll(userId: string) {
    this.rows.delete(userId);
  }
}

export class InMemoryPasskeys implements PasskeyStore {
  readonly rows: StoredPasskey[] = [];
  async add(passkey: StoredPasskey) {
    this.rows.push({ ...passkey });
  }
  async listOf(userId: string) {
    return this.rows.filter((p) => p.userId === userId).map((p) => ({ ...p }));
  }
  async findByCredentialId(credentialId: string) {
    const found = this.rows.find((p) => p.credentialId === credentialId);
    return found && { ...found };
  }
  async recordUse(id: string, from: number, to: number, now: Date) {
    const row = this.rows.find((p) => p.id === id && (p.counter === from || p.counter < to));
    if (!row) return false;
    Object.assign(row, { counter: to, lastUsedAt: now });
    return true;
  }
  async remove(userId: string, id: string) {
    const index = this.rows.findIndex((p) => p.userId === userId && p.id === id);
    if (index < 0) return false;
    this.rows.splice(index, 1);
    return true;
  }
}

export class InMemoryChallenges implements ChallengeStore {
  readonly rows = new Map<string, { purpose: ChallengePurpose; userId: string | null; expiresAt: number }>();
  async issue(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date, ttlMs: number) {
    this.rows.set(challenge, { purpose, userId, expiresAt: now.getTime() + ttlMs });
  }
  async consume(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date) {
    const row = this.rows.get(challenge);
    if (!row || row.purpose !== purpose || row.userId !== userId || row.expiresAt <= now.getTime()) return false;
    this.rows.delete(challenge);
    return true;
  }
}

/** The stores, and a unit of work over them that shares the users and the outbox of an InMemoryUnitOfWork. */
export class InMemoryMfa implements MfaUnitOfWork {
  readonly stores: MfaStores = {
    totp: new InMemoryTotp(),
    recoveryCodes: new InMemoryRecoveryCodes(),
    passkeys: new InMemoryPasskeys(),
    challenges: new InMemoryChallenges(),
  };
  constructor(private readonly accounts: InMemoryUnitOfWork) {}
  get events(): DomainEvent[] {
    return this.accounts.events;
  }
  run<T>(work: (tx: MfaTxScope) => Promise<T>): Promise<T> {
    return this.accounts.run(({ users, outbox, audit, mail }) => work({ users, outbox, audit, mail, ...this.stores }));
  }
}

/** Counts attempts per account; over `limit` it refuses. */
export class FakeCodeThrottle implements CodeThrottle {
  readonly counts = new Map<string, number>();
  constructor(private readonly limit = Infinity) {}
  async begin(userId: string) {
    const n = (this.counts.get(userId) ?? 0) + 1;
    this.counts.set(userId, n);
    if (n > this.limit) throw new TooManyAttempts(300);
  }
  async succeeded(userId: string) {
    this.counts.set(userId, Math.max(0, (this.counts.get(userId) ?? 0) - 1));
  }
}

/** A stored passkey with defaults; its public key is a placeholder (FakePasskeys never reads it). */
export function aPasskey(spec: Partial<StoredPasskey> & { id: string; userId: string; credentialId: string }): StoredPasskey {
  return {
    publicKey: 'public-key-bytes',
    counter: 0,
    transports: [],
    deviceType: 'singleDevice',
    backedUp: false,
    name: 'Laptop',
    createdAt: new Date(0),
    lastUsedAt: null,
    ...spec,
  };
}

/**
 * The relying party without cryptography: an assertion is `{ id: credentialId }`, and verifying it answers
 * `outcome` (a success unless a test says otherwise).
 */
export class FakePasskeys implements Passkeys {
  outcome: AssertionOutcome = { ok: true, newCounter: 1, userVerified: true };
  verified = 0;
  async registrationOptions(): Promise<PasskeyOptions> {
    return { options: {}, challenge: 'registration-challenge' };
  }
  async verifyRegistration(): Promise<NewPasskey> {
    throw new Error('not used by these tests');
  }
  async authenticationOptions(): Promise<PasskeyOptions> {
    return { options: {}, challenge: 'authentication-challenge' };
  }
  credentialIdOf(response: unknown): string | undefined {
    const id = (response as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  }
  async verifyAuthentication(): Promise<AssertionOutcome> {
    this.verified += 1;
    return this.outcome;
  }
}
