import { inject, injectable } from 'inversify';
import { MfaConflict, UserNotFound } from '../../domain/errors.js';
import { Clock, UserRepository } from '../ports.js';
import { MfaStores, QrCodes, SecretBox, Totp } from './ports.js';

export interface TotpEnrolment {
  /** base32, for typing into an app by hand. */
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/**
 * Starts a one-time-code enrolment: a new secret, stored sealed and unconfirmed. Nothing changes for the login
 * until ConfirmTotp sees a code made from it. A second call replaces an unconfirmed enrolment.
 */
@injectable()
export class EnrolTotp {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Totp) private readonly totp: Totp,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(QrCodes) private readonly qr: QrCodes,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }): Promise<TotpEnrolment> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    const secret = this.totp.newSecret();
    const stored = await this.stores.totp.savePending(user.id, this.box.seal(secret, user.id), this.clock.now());
    if (!stored) throw new MfaConflict('One-time codes are already on: switch them off first (DELETE /mfa/totp)');
    const otpauthUri = this.totp.uri(secret, user.username);
    return { secret, otpauthUri, qrSvg: await this.qr.svg(otpauthUri) };
  }
}
