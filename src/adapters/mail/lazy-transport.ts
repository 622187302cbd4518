import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type StreamTransport from 'nodemailer/lib/stream-transport/index.js';

/**
 * A nodemailer transport made with the first message: a process whose mail relay never runs, or has nothing to
 * send, never loads nodemailer (about a hundred modules).
 */
export class LazyTransport {
  private transport: Promise<Transporter> | undefined;

  /** An SMTP URL or options, or a stream transport's options (for .eml files). */
  constructor(private readonly options: string | SMTPTransport.Options | StreamTransport.Options) {}

  get(): Promise<Transporter> {
    this.transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(this.options));
    return this.transport;
  }

  /** Closes the transport if a message ever made it. */
  async close(): Promise<void> {
    (await this.transport)?.close();
  }
}
