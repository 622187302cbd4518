import type { Clock, LogSink } from '../ports.js';
import { PermanentMailFailure, type MailOutbox, type MailSender, type MailToSend } from './ports.js';

export interface MailRelaySettings {
  /** How often to look for due messages. */
  pollIntervalMs: number;
  batchSize: number;
  /** How long a claimed message is left alone by other senders: longer than a send can take. */
  leaseMs: number;
  /** The first retry waits this long, each next one twice as long, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A message that failed this many times (never with a 5xx) is parked as well. */
  maxAttempts: number;
  /** How long the record of a sent message (its recipient, personal data) is kept. */
  retentionMs: number;
}

/** Retention runs this often, in chunks. */
const HOUSEKEEPING_MS = 10 * 60_000;
const RETENTION_CHUNK = 1000;

export interface MailRelayStatus {
  sent: number;
  parked: number;
  retried: number;
  lastError: string | null;
}

/**
 * Sends queued mail, at least once: a message is marked sent only after the mail server accepted it, so a
 * crash in between sends it again, under the same Message-ID for the receiver to drop. A temporary failure
 * (the server down, a 4xx) is retried with exponential back-off; a 5xx refusal parks the message with the
 * reason. Sent or parked, its body is erased.
 */
export class MailRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastHousekeeping = 0;
  private readonly stats: MailRelayStatus = { sent: 0, parked: 0, retried: 0, lastError: null };

  constructor(
    private readonly outbox: MailOutbox,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    private readonly settings: MailRelaySettings,
    private readonly log: LogSink,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.sender.close?.();
  }

  status(): MailRelayStatus {
    return { ...this.stats };
  }

  /** One pass over the due messages; returns how many it took. */
  async sendDue(): Promise<number> {
    const due = await this.outbox.claimDue(this.clock.now(), this.settings.batchSize, this.settings.leaseMs);
    for (const mail of due) await this.deliver(mail);
    return due.length;
  }

  /** Deletes the records of messages sent longer ago than the retention. */
  async housekeeping(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.settings.retentionMs);
    let deleted = 0;
    for (let n = RETENTION_CHUNK; n === RETENTION_CHUNK && this.running; deleted += n) {
      n = await this.outbox.deleteSentBefore(cutoff, RETENTION_CHUNK);
    }
    return deleted;
  }

  private async deliver(mail: MailToSend): Promise<void> {
    const about = { seq: mail.seq, mailId: mail.id, kind: mail.kind, attempt: mail.attempts };
    try {
      await this.sender.send(mail);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.stats.lastError = reason;
      if (err instanceof PermanentMailFailure || mail.attempts >= this.settings.maxAttempts) {
        await this.outbox.park(mail.seq, reason, this.clock.now());
        this.stats.parked += 1;
        this.log.error({ ...about, error: reason }, 'mail parked: it cannot be delivered');
        return;
      }
      const delay = Math.min(this.settings.maxBackoffMs, this.settings.baseBackoffMs * 2 ** (mail.attempts - 1));
      await this.outbox.retryAt(mail.seq, new Date(this.clock.now().getTime() + delay), reason);
      this.stats.retried += 1;
      this.log.warn({ ...about, error: reason, retryInMs: delay }, 'mail not sent; will retry');
      return;
    }
    await this.outbox.markSent(mail.seq, this.clock.now());
    this.stats.sent += 1;
    this.log.info(about, 'mail sent');
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      try {
        taken = await this.sendDue();
        if (this.clock.now().getTime() - this.lastHousekeeping >= HOUSEKEEPING_MS) {
          this.lastHousekeeping = this.clock.now().getTime();
          await this.housekeeping();
        }
      } catch (err) {
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        this.log.warn({ err }, 'mail relay failed; retrying');
      }
      if (taken < this.settings.batchSize) await this.sleep(this.settings.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
