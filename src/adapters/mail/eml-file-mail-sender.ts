import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogSink } from '../../application/ports.js';
import type { MailSender, MailToSend } from '../../application/email/ports.js';
import { LazyTransport } from './lazy-transport.js';
import { messageId, render, type MailBranding } from './templates.js';

/**
 * Without SMTP_URL: each message becomes an .eml file (open it with any mail program) and, outside production,
 * its link goes to the log, so every flow can be clicked through with no mail server. nodemailer, which writes
 * the message, is loaded with the first one.
 */
export class EmlFileMailSender implements MailSender {
  private readonly transport = new LazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly dir: string,
    private readonly branding: MailBranding,
    private readonly log: LogSink,
    private readonly logLinks: boolean,
  ) {}

  async send(mail: MailToSend): Promise<void> {
    const { subject, text, html, link } = render(mail, this.branding);
    const info = await (
      await this.transport.get()
    ).sendMail({
      from: this.branding.from,
      to: mail.to,
      subject,
      text,
      html,
      messageId: messageId(mail, this.branding.publicUrl),
    });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${mail.id}.eml`); // the same name on a retry: written again, not twice
    await writeFile(file, info.message as Buffer, { mode: 0o600 });
    this.log.info({ file, kind: mail.kind, ...(this.logLinks && link && { link }) }, 'mail written to a file (SMTP_URL is not set)');
  }
}
