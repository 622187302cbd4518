import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'mailer-secret';

/**
 * A real SMTP server on a free loopback port, keeping every message it accepted, parsed. It can be taken down
 * and brought back on the same port (a mail server outage), and refuse chosen recipients for good (550).
 */
export class TestSmtp {
  readonly messages: ParsedMail[] = [];
  /** Recipients answered 550 at RCPT TO: a permanent failure. */
  readonly refused = new Set<string>();
  /** Every RCPT TO the server saw, refused or not. */
  readonly recipients: string[] = [];
  private server: SMTPServer | undefined;
  private port = 0;

  get url(): string {
    return `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true, // loopback only
      logger: false,
      onAuth: (auth, _session, done) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) done(null, { user: auth.username });
        else done(new Error('Invalid username or password'));
      },
      onRcptTo: (address, _session, done) => {
        this.recipients.push(address.address);
        if (!this.refused.has(address.address)) return done();
        done(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
      },
      onData: (stream, _session, done) => {
        simpleParser(stream).then(
          (mail) => {
            this.messages.push(mail);
            done();
          },
          (err: Error) => done(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Takes the server down: connections are refused until start() again (same port). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The messages sent to `to`, in arrival order. */
  to(to: string): ParsedMail[] {
    return this.messages.filter((m) => addressesOf(m).includes(to));
  }

  /** Waits until `count` messages reached `to` (or any recipient when `to` is undefined). */
  async waitFor(to: string | undefined, count = 1, timeoutMs = 10_000): Promise<ParsedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = to === undefined ? this.messages : this.to(to);
      if (got.length >= count) return got;
      if (Date.now() > deadline)
        throw new Error(`expected ${count} message(s) to ${to ?? 'anyone'} within ${timeoutMs} ms, got ${got.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export function addressesOf(mail: ParsedMail): string[] {
  const to = mail.to === undefined ? [] : Array.isArray(mail.to) ? mail.to : [mail.to];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** The token in a message's link (`…#token=<token>`), and the page it leads to. */
export function linkIn(mail: ParsedMail): { url: string; page: string; token: string } {
  const match = /(https?:\/\/\S+\/ui\/([a-z-]+)#token=([A-Za-z0-9_-]+))/.exec(mail.text ?? '');
  if (!match) throw new Error(`no link in: ${mail.text}`);
  return { url: match[1]!, page: match[2]!, token: decodeURIComponent(match[3]!) };
}

export async function testSmtp(): Promise<TestSmtp> {
  const smtp = new TestSmtp();
  await smtp.start();
  return smtp;
}
