import type { EmailAddress } from '../../domain/email-address.js';

/** What a message is about; the mail adapter turns kind and params into a subject and a text and an HTML part. */
export type MailKind =
  'verify-email' | 'password-reset' | 'email-changed' | 'password-changed' | 'recovery-code-used' | 'passkey-clone-suspected';

/**
 * A message waiting to be sent. `params` may carry a single-use token: the queue erases them once the message
 * is sent or parked. `id` is stable across retries (the Message-ID is made from it).
 */
export interface OutgoingMail {
  id: string;
  kind: MailKind;
  to: EmailAddress;
  userId: string;
  params: Record<string, string>;
  createdAt: Date;
}

/** Queues a message in the caller's transaction: it is sent if and only if the change that caused it commits. */
export interface MailQueue {
  add(mail: OutgoingMail): Promise<void>;
}

export type TokenPurpose = 'verify-email' | 'password-reset';

/** What a stored token stands for: its user, the address it was sent to, and until when it is good. */
export interface EmailToken {
  userId: string;
  purpose: TokenPurpose;
  email: EmailAddress;
  expiresAt: Date;
}

/**
 * Single-use tokens of at least 256 random bits: the value is handed out once (for a link), only its SHA-256 is
 * stored. Used inside a unit of work.
 */
export interface EmailTokens {
  /** Makes and stores a new token, voiding every earlier one of the user for the same purpose; returns its value. */
  issue(token: EmailToken): Promise<string>;
  /** Removes the token and returns what it stood for: a second take of the same value finds nothing. */
  take(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined>;
  /** Reads without using it up. */
  peek(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined>;
  /** Voids the user's tokens, of one purpose or all. */
  voidAll(userId: string, purpose?: TokenPurpose): Promise<void>;
}

/** A queued message as the sender sees it. */
export interface MailToSend {
  seq: number;
  id: string;
  kind: MailKind;
  to: string;
  params: Record<string, string>;
  attempts: number;
}

/** The mail server refused the message for good (an SMTP 5xx): retrying would not help. */
export class PermanentMailFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentMailFailure';
  }
}

/** Hands a message to the mail system. @throws PermanentMailFailure for a 5xx; any other error is retried. */
export interface MailSender {
  send(mail: MailToSend): Promise<void>;
  close?(): Promise<void>;
}

/** The sender's view of the queue table. Every change erases the body when the message leaves the queue. */
export interface MailOutbox {
  /**
   * Claims up to `limit` messages due at `now` for `leaseMs`: another sender skips them until then, and a sender
   * that dies mid-send leaves them to be retried after it (at least once).
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<MailToSend[]>;
  /** Sent: the body (with its link) is erased. */
  markSent(seq: number, at: Date): Promise<void>;
  retryAt(seq: number, at: Date, error: string): Promise<void>;
  /** Refused for good: set aside with the reason, its body erased. */
  park(seq: number, error: string, at: Date): Promise<void>;
  counts(): Promise<MailQueueCounts>;
  /** Deletes up to `limit` messages sent before `cutoff` (their recipients are personal data); parked ones stay. */
  deleteSentBefore(cutoff: Date, limit: number): Promise<number>;
}

/** A message set aside because it cannot be sent. */
export interface ParkedMail {
  seq: number;
  id: string;
  kind: string;
  userId: string;
  parkedAt: Date;
  lastError: string | null;
}

/** What the operator is shown of the mail queue (`outbox-status`). */
export interface MailReport {
  counts(): Promise<MailQueueCounts>;
  /** The oldest `limit` parked messages. */
  parked(limit: number): Promise<ParkedMail[]>;
}
export const MailReport = Symbol('MailReport');

export interface MailQueueCounts {
  pending: number;
  parked: number;
  sent: number;
}

export const MailSender = Symbol('MailSender');
export const MailOutbox = Symbol('MailOutbox');
/** Throttles of POST /password/forgot: per client address (429), and per account (silently: no mail). */
export const ForgotClientThrottle = Symbol('ForgotClientThrottle');
export const ForgotAccountThrottle = Symbol('ForgotAccountThrottle');
/** Throttle of token guesses (POST /password/reset, POST /email/verify), per client address. */
export const TokenThrottle = Symbol('TokenThrottle');
/** Throttle of POST /email/verify/resend, per account. */
export const ResendThrottle = Symbol('ResendThrottle');
/** The reset token's lifetime and the pace of the forgot-password answer. */
export const EmailSettings = Symbol('EmailSettings');

/**
 * Keeps a floor under how long an answer takes: `atLeast(ms, work)` resolves with the work's result no sooner
 * than `ms` after it began. A failure is passed on at once (a refusal need not hide its timing).
 */
export interface Pacer {
  atLeast<T>(ms: number, work: () => Promise<T>): Promise<T>;
}
export const Pacer = Symbol('Pacer');

export interface EmailSettings {
  resetTtlMs: number;
  /** POST /password/forgot answers no sooner than this, whatever it found, so its time tells nothing. */
  forgotMinDurationMs: number;
}
