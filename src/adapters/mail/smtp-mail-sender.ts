import { PermanentMailFailure, type MailSender, type MailToSend } from '../../application/email/ports.js';
import { LazyTransport } from './lazy-transport.js';
import { messageId, render, type MailBranding } from './templates.js';

/** A 5xx reply is the server's final word; a 4xx, a timeout or a refused connection may pass. */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Sends through SMTP_URL (`smtp://user:pass@host:port`, `smtps://` for TLS) with nodemailer, which is loaded with
 * the first message: a process whose mail relay never runs, or has nothing to send, never loads it.
 */
export class SmtpMailSender implements MailSender {
  private readonly transport: LazyTransport;

  constructor(
    smtpUrl: string,
    private readonly branding: MailBranding,
  ) {
    // Timeouts short enough that a dead server is noticed well within the relay's lease on a message.
    const url = new URL(smtpUrl);
    for (const [name, ms] of [
      ['connectionTimeout', 10_000],
      ['greetingTimeout', 10_000],
      ['socketTimeout', 30_000],
    ] as const) {
      if (!url.searchParams.has(name)) url.searchParams.set(name, String(ms));
    }
    this.transport = new LazyTransport(url.toString());
  }

  async send(mail: MailToSend): Promise<void> {
    const { subject, text, html } = render(mail, this.branding);
    try {
      await (
        await this.transport.get()
      ).sendMail({
        from: this.branding.from,
        to: mail.to,
        subject,
        text,
        html,
        messageId: messageId(mail, this.branding.publicUrl),
      });
    } catch (err) {
      if (isPermanent(err)) throw new PermanentMailFailure((err as Error).message, { cause: err });
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
