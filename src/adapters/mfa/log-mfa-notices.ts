import type { MfaNotices } from '../../application/mfa/ports.js';
import type { Logger } from '../logging/logger.js';

/** Security notices as warn-level log lines with `audit: true` (no audit trail or e-mail notices exist yet). */
export class LogMfaNotices implements MfaNotices {
  constructor(private readonly log: Logger) {}

  async recoveryCodeUsed(userId: string, remaining: number): Promise<void> {
    this.log.warn({ audit: true, event: 'mfa.recovery_code_used', userId, remaining }, 'a recovery code was used');
  }

  async passkeyCounterWentBack(userId: string, passkeyId: string): Promise<void> {
    this.log.warn({ audit: true, event: 'mfa.passkey_counter_went_back', userId, passkeyId }, 'refused a passkey whose signature counter did not move forward: possibly a cloned authenticator');
  }
}
