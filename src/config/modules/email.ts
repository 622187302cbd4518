import { TimerPacer } from '../../adapters/timing/timer-pacer.js';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { ChangeEmail } from '../../application/email/change-email.js';
import { MailRelay } from '../../application/email/relay-mail.js';
import {
  EmailSettings,
  ForgotAccountThrottle,
  ForgotClientThrottle,
  MailOutbox,
  MailReport,
  MailSender,
  Pacer,
  ResendThrottle,
  TokenThrottle,
} from '../../application/email/ports.js';
import { RequestPasswordReset } from '../../application/email/request-password-reset.js';
import { ResendVerification } from '../../application/email/resend-verification.js';
import { ResetPassword } from '../../application/email/reset-password.js';
import { VerifyEmail } from '../../application/email/verify-email.js';
import { Clock, type LoginThrottle } from '../../application/ports.js';
import type { Logger } from '../../adapters/logging/logger.js';
import { EmlFileMailSender } from '../../adapters/mail/eml-file-mail-sender.js';
import { SmtpMailSender } from '../../adapters/mail/smtp-mail-sender.js';
import { KnexMailOutbox } from '../../adapters/persistence/email/knex-mail-outbox.js';
import type { Limit } from '../../adapters/throttling/limits.js';
import { SqlThrottleRows } from '../../adapters/throttling/sql-throttle-rows.js';
import { WindowedLoginThrottle } from '../../adapters/throttling/windowed-login-throttle.js';
import type { Env } from '../env.js';

/** How long a claimed message is left to its sender: well over the SMTP timeouts. */
const MAIL_LEASE_MS = 2 * 60_000;

/** Email: addresses, verification and password reset, with their throttles. */
export function bindEmail(container: Container, env: Env, db: Knex): void {
  const { email } = env;
  // The login throttle's machinery (one row per key, refusals from memory), each flow under a name of its own.
  const rows = new SqlThrottleRows(db);
  const throttle = (name: string, account: Limit[], client: Limit[]): LoginThrottle =>
    new WindowedLoginThrottle({ account, client }, rows, Date.now, name);
  container.bind<LoginThrottle>(ForgotClientThrottle).toConstantValue(throttle('forgot', [], email.limits.forgotClient));
  container.bind<LoginThrottle>(ForgotAccountThrottle).toConstantValue(throttle('forgot', email.limits.forgotAccount, []));
  container.bind<LoginThrottle>(TokenThrottle).toConstantValue(throttle('token', [], email.limits.tokenClient));
  container.bind<LoginThrottle>(ResendThrottle).toConstantValue(throttle('resend', email.limits.resend, []));
  container.bind<Pacer>(Pacer).toConstantValue(new TimerPacer());
  container
    .bind<EmailSettings>(EmailSettings)
    .toConstantValue({ resetTtlMs: email.resetTtlMs, forgotMinDurationMs: email.forgotMinDurationMs });
  container.bind(ChangeEmail).toSelf();
  container.bind(VerifyEmail).toSelf();
  container.bind(ResendVerification).toSelf();
  container.bind(RequestPasswordReset).toSelf();
  container.bind(ResetPassword).toSelf();
}

/** The mail queue: written by the email use cases, counted by the metrics and the command line. */
export function bindMailQueue(container: Container, db: Knex): void {
  const outbox = new KnexMailOutbox(db);
  container.bind<MailOutbox>(MailOutbox).toConstantValue(outbox);
  container.bind<MailReport>(MailReport).toConstantValue(outbox);
}

/** The mail relay that sends the queue: SMTP, or .eml files without SMTP_URL. Call after bindMailQueue. */
export function bindMailRelay(container: Container, env: Env, log: Logger): void {
  const { email } = env;
  const branding = { publicUrl: env.publicUrl, productName: email.productName, from: email.from };
  const mailLog = log.child({ component: 'mail-relay' });
  const sender: MailSender = email.smtpUrl
    ? new SmtpMailSender(email.smtpUrl, branding)
    : new EmlFileMailSender(email.mailDir, branding, mailLog, env.nodeEnv !== 'production');
  const outbox = container.get<MailOutbox>(MailOutbox);
  container.bind<MailSender>(MailSender).toConstantValue(sender);
  container
    .bind(MailRelay)
    .toConstantValue(
      new MailRelay(
        outbox,
        sender,
        container.get<Clock>(Clock),
        { ...email.relay, batchSize: 50, leaseMs: MAIL_LEASE_MS, retentionMs: env.outbox.retentionMs },
        mailLog,
      ),
    );
}

/** Starts sending queued mail from this process; without SMTP_URL, to .eml files. */
export function startMailRelay(env: Env, container: Container, log: Logger): MailRelay {
  const relay = container.get(MailRelay);
  relay.start();
  if (env.email.smtpUrl) log.info({ publicUrl: env.publicUrl }, 'mail relay started');
  else log.warn({ dir: env.email.mailDir }, 'SMTP_URL is not set: mail is written as .eml files');
  return relay;
}
