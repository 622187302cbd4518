import { resolve } from 'node:path';
import { z } from 'zod';
import { int, limits } from '../env-fields.js';
import { parseLimits, type Limit } from '../../adapters/throttling/limits.js';

/** Email: delivery, links, and the throttles of the recovery endpoints. */
export interface EmailEnv {
  /** undefined: messages are written as .eml files under `mailDir`. */
  smtpUrl: string | undefined;
  from: string;
  productName: string;
  mailDir: string;
  resetTtlMs: number;
  /** Floor of POST /password/forgot's response time. */
  forgotMinDurationMs: number;
  limits: { forgotAccount: Limit[]; forgotClient: Limit[]; tokenClient: Limit[]; resend: Limit[] };
  relay: { pollIntervalMs: number; baseBackoffMs: number; maxBackoffMs: number; maxAttempts: number };
}

const url = (schemes: RegExp, message: string) => z.url().refine((u) => schemes.test(u), message);

export const emailShape = {
  SMTP_URL: url(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).optional(),
  MAIL_PRODUCT_NAME: z.string().min(1).max(100).default('authsvc'),
  MAIL_DIR: z.string().min(1).default('./data/mail'),
  PASSWORD_RESET_TTL_SECONDS: int(60, 24 * 3600).default(30 * 60),
  PASSWORD_FORGOT_MIN_MS: int(0, 10_000).default(250),
  // Reset mails per account: 3 in 15 minutes, 10 a day. Over the limit the answer is the same, and nothing is sent.
  FORGOT_LIMITS_ACCOUNT: limits.default(parseLimits('3/900,10/86400')),
  FORGOT_LIMITS_CLIENT: limits.default(parseLimits('10/60,100/3600')),
  // Guesses of reset and verification tokens per client address.
  TOKEN_LIMITS_CLIENT: limits.default(parseLimits('10/60,50/3600')),
  EMAIL_RESEND_LIMITS: limits.default(parseLimits('3/900,10/86400')),
  MAIL_POLL_INTERVAL_MS: int(10, 3_600_000).default(1000),
  MAIL_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
  MAIL_RETRY_MAX_MS: int(10, 24 * 3_600_000).default(15 * 60_000),
  MAIL_MAX_ATTEMPTS: int(1, 1000).default(30),
};

type Parsed = z.output<z.ZodObject<typeof emailShape>>;

/** `publicUrl` is the service's one public origin (PUBLIC_URL, read with the token settings): links are built under it. */
export function emailEnv(e: Parsed, publicUrl: string): EmailEnv {
  return {
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM ?? `${e.MAIL_PRODUCT_NAME} <no-reply@${new URL(publicUrl).hostname}>`,
    productName: e.MAIL_PRODUCT_NAME,
    mailDir: resolve(e.MAIL_DIR),
    resetTtlMs: e.PASSWORD_RESET_TTL_SECONDS * 1000,
    forgotMinDurationMs: e.PASSWORD_FORGOT_MIN_MS,
    limits: {
      forgotAccount: e.FORGOT_LIMITS_ACCOUNT,
      forgotClient: e.FORGOT_LIMITS_CLIENT,
      tokenClient: e.TOKEN_LIMITS_CLIENT,
      resend: e.EMAIL_RESEND_LIMITS,
    },
    relay: {
      pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
      baseBackoffMs: e.MAIL_RETRY_BASE_MS,
      maxBackoffMs: e.MAIL_RETRY_MAX_MS,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
    },
  };
}
