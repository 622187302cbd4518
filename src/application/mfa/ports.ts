import type { MfaMethod } from '../../domain/events.js';
import type { AuditLog } from '../audit/ports.js';
import type { MailQueue } from '../email/ports.js';
import type { Outbox, UserChanges } from '../ports.js';

/** How a user proves the second factor: a one-time code, a recovery code, or a passkey assertion (WebAuthn JSON). */
export type SecondFactorProof = { code: string } | { recoveryCode: string } | { webauthn: unknown };

/** The ways a user can finish a login, as the API lists them. */
export type SignInMethod = MfaMethod | 'recovery-code';

export interface TotpRecord {
  userId: string;
  secretSealed: string;
  /** false: an enrolment waiting for its first code, not yet a second factor. */
  confirmed: boolean;
  lastUsedStep: number;
}

export interface TotpStore {
  find(userId: string): Promise<TotpRecord | undefined>;
  /** Stores a new unconfirmed enrolment, replacing an unconfirmed one; false (nothing written) when one is confirmed. */
  savePending(userId: string, secretSealed: string, now: Date): Promise<boolean>;
  /** Confirms the pending enrolment, recording `step` as used; false when there was none to confirm. */
  confirm(userId: string, step: number, now: Date): Promise<boolean>;
  /**
   * Records `step` as used when it is later than the last used step of a confirmed secret, in one conditional
   * UPDATE: of two requests with the same code, exactly one gets true.
   */
  useStep(userId: string, step: number): Promise<boolean>;
  /** Removes the secret; whether a confirmed one was removed. */
  remove(userId: string): Promise<boolean>;
}

export interface RecoveryCodeStore {
  /** Voids every code of the user and stores these hashes instead. */
  replace(userId: string, hashes: string[]): Promise<void>;
  /** Marks the unused code with this hash used, in one conditional UPDATE; false when there is none. */
  use(userId: string, hash: string, now: Date): Promise<boolean>;
  remaining(userId: string): Promise<number>;
  removeAll(userId: string): Promise<void>;
}

export interface StoredPasskey {
  id: string;
  userId: string;
  /** base64url, as the authenticator gave it. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface PasskeyStore {
  /** @throws PasskeyRejected when the credential is registered already. */
  add(passkey: StoredPasskey): Promise<void>;
  listOf(userId: string): Promise<StoredPasskey[]>;
  findByCredentialId(credentialId: string): Promise<StoredPasskey | undefined>;
  /**
   * Moves the signature counter from `from` to `to` in one conditional UPDATE: it moves when the stored counter is
   * still `from`, or is still below `to` (another use of the same authenticator, signed before this one, was
   * recorded meanwhile). False when the stored counter reached `to` or passed it meanwhile: the same count used
   * twice, which is what a clone does.
   */
  recordUse(id: string, from: number, to: number, now: Date): Promise<boolean>;
  /** false when the user has no passkey with this id. */
  remove(userId: string, id: string): Promise<boolean>;
}

export type ChallengePurpose = 'register' | 'login' | 'second-factor';

/** How long WebAuthn options stay usable. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** WebAuthn challenges handed out with options, each usable once, for its purpose and user only. */
export interface ChallengeStore {
  issue(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date, ttlMs: number): Promise<void>;
  /** Deletes the challenge when it was issued for this purpose and user and has not expired; whether it was. */
  consume(challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date): Promise<boolean>;
}

/** The second-factor stores outside a transaction. */
export interface MfaStores {
  totp: TotpStore;
  recoveryCodes: RecoveryCodeStore;
  passkeys: PasskeyStore;
  challenges: ChallengeStore;
}

export interface MfaTxScope extends Omit<MfaStores, 'challenges'> {
  users: UserChanges;
  outbox: Outbox;
  /** The audit trail, written in this transaction. */
  audit: AuditLog;
  /** Notices are queued with the change that causes them, and sent after the commit. */
  mail: MailQueue;
}

/** One database transaction over the second-factor stores, the users, the outbox, the audit trail and the mail queue. */
export interface MfaUnitOfWork {
  run<T>(work: (tx: MfaTxScope) => Promise<T>): Promise<T>;
}

/** Seals secrets at rest (AES-256-GCM); `context` (the user id) is bound in, so a sealed value cannot be moved. */
export interface SecretBox {
  seal(plain: string, context: string): string;
  /** @throws when the value was not sealed under this key and context. */
  open(sealed: string, context: string): string;
}

/** RFC 6238 one-time codes. */
export interface Totp {
  /** A new random base32 secret. */
  newSecret(): string;
  /** The otpauth:// URI an authenticator app reads (from a QR code). */
  uri(secret: string, account: string): string;
  /** The time step the code belongs to, within the accepted drift around `at`; undefined when none. */
  matchStep(secret: string, code: string, at: Date): number | undefined;
}

export interface QrCodes {
  svg(text: string): Promise<string>;
}

export interface RecoveryCodes {
  /** A new set of codes, as shown to the user. */
  generate(): string[];
  /** What is stored for a code, or undefined when the text cannot be a code. */
  hash(code: string): string | undefined;
}

/** Wrong second-factor codes per account, apart from the login throttle. */
export interface CodeThrottle {
  /** Counts an attempt before it is checked. @throws TooManyAttempts over the limit. */
  begin(userId: string): Promise<void>;
  /** The code was right: this attempt is given back. */
  succeeded(userId: string): Promise<void>;
}

export interface PasskeyOptions {
  options: Record<string, unknown>;
  challenge: string;
}

export type NewPasskey = Omit<StoredPasskey, 'id' | 'userId' | 'name' | 'createdAt' | 'lastUsedAt'>;

export type AssertionOutcome = { ok: true; newCounter: number; userVerified: boolean } | { ok: false; counterWentBack: boolean };

/** The WebAuthn relying party (its id and origin come from PUBLIC_URL). */
export interface Passkeys {
  registrationOptions(user: { id: string; username: string }, existing: StoredPasskey[]): Promise<PasskeyOptions>;
  /** @throws PasskeyRejected when the response does not verify; `challengeOk` is asked about its challenge. */
  verifyRegistration(response: unknown, challengeOk: (challenge: string) => Promise<boolean>): Promise<NewPasskey>;
  authenticationOptions(allow: StoredPasskey[], userVerification: 'required' | 'preferred'): Promise<PasskeyOptions>;
  /** The credential id an assertion names, or undefined when it is not an assertion. */
  credentialIdOf(response: unknown): string | undefined;
  verifyAuthentication(
    response: unknown,
    passkey: StoredPasskey,
    challengeOk: (challenge: string) => Promise<boolean>,
    requireUserVerification: boolean,
  ): Promise<AssertionOutcome>;
}

export const MfaStores = Symbol('MfaStores');
export const MfaUnitOfWork = Symbol('MfaUnitOfWork');
export const SecretBox = Symbol('SecretBox');
export const Totp = Symbol('Totp');
export const QrCodes = Symbol('QrCodes');
export const RecoveryCodes = Symbol('RecoveryCodes');
export const CodeThrottle = Symbol('CodeThrottle');
export const Passkeys = Symbol('Passkeys');
