import { Secret, TOTP } from 'otpauth';
import type { Totp } from '../../application/mfa/ports.js';

/**
 * RFC 6238 with the parameters every authenticator app defaults to: HMAC-SHA-1, 6 digits, 30-second steps.
 * One step of drift either way is accepted (a clock up to 30 s off, or a code typed as it changed).
 */
export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;
/** 160 bits, RFC 4226's recommended secret length (32 base32 characters). */
const SECRET_BYTES = 20;

export class OtpauthTotp implements Totp {
  constructor(private readonly issuer: string) {}

  newSecret(): string {
    return new Secret({ size: SECRET_BYTES }).base32;
  }

  uri(secret: string, account: string): string {
    return this.totp(secret, account).toString();
  }

  matchStep(secret: string, code: string, at: Date): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const timestamp = at.getTime();
    const delta = this.totp(secret).validate({ token: code, timestamp, window: TOTP_PARAMETERS.window });
    if (delta === null) return undefined;
    return TOTP.counter({ period: TOTP_PARAMETERS.period, timestamp }) + delta;
  }

  private totp(secret: string, label = 'account'): TOTP {
    const { algorithm, digits, period } = TOTP_PARAMETERS;
    return new TOTP({ issuer: this.issuer, label, algorithm, digits, period, secret: Secret.fromBase32(secret) });
  }
}
