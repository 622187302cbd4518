import { inject, injectable } from 'inversify';
import { InvalidCode, NotAuthenticated } from '../../domain/errors.js';
import { Clock, LoginThrottle, UserRepository, type LoginAttempt } from '../ports.js';
import { CodeThrottle, MfaNotices, MfaStores, RecoveryCodes, SecretBox, Totp, type SecondFactorProof } from './ports.js';
import { VerifyPasskey } from './verify-passkey.js';

/**
 * Checks a second factor of a user who proved the password (or is logged in): a one-time code, a recovery code
 * or a passkey. Each is accepted at most once. A code attempt counts against the code throttle (5 in 5 minutes
 * per account) and the login throttle before it is checked, so parallel guesses cannot outrun the counts.
 * @throws InvalidCode, TooManyAttempts
 */
@injectable()
export class VerifySecondFactor {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(Totp) private readonly totp: Totp,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(RecoveryCodes) private readonly codes: RecoveryCodes,
    @inject(CodeThrottle) private readonly codeThrottle: CodeThrottle,
    @inject(LoginThrottle) private readonly loginThrottle: LoginThrottle,
    @inject(VerifyPasskey) private readonly passkeys: VerifyPasskey,
    @inject(MfaNotices) private readonly notices: MfaNotices,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; proof: SecondFactorProof }, context: { client?: string } = {}): Promise<void> {
    const { proof, userId } = input;
    if ('webauthn' in proof) {
      await this.passkeys.execute({ response: proof.webauthn, purpose: 'second-factor', userId, requireUserVerification: false });
      return;
    }
    const user = await this.users.findById(userId);
    if (!user) throw new NotAuthenticated();
    const attempt: LoginAttempt = { account: user.username, client: context.client };
    await this.codeThrottle.begin(userId);
    await this.loginThrottle.begin(attempt);
    const accepted = 'code' in proof ? await this.useTotp(userId, proof.code) : await this.useRecoveryCode(userId, proof.recoveryCode);
    if (!accepted) throw new InvalidCode();
    await this.codeThrottle.succeeded(userId);
    await this.loginThrottle.succeeded(attempt);
  }

  private async useTotp(userId: string, code: string): Promise<boolean> {
    const record = await this.stores.totp.find(userId);
    if (!record?.confirmed) return false;
    const step = this.totp.matchStep(this.box.open(record.secretSealed, userId), code, this.clock.now());
    // The conditional UPDATE decides: a step already used (or an earlier one) is refused, even at the same instant.
    return step !== undefined && this.stores.totp.useStep(userId, step);
  }

  private async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const hash = this.codes.hash(code);
    if (hash === undefined || !(await this.hasFactor(userId))) return false;
    if (!(await this.stores.recoveryCodes.use(userId, hash, this.clock.now()))) return false;
    await this.notices.recoveryCodeUsed(userId, await this.stores.recoveryCodes.remaining(userId));
    return true;
  }

  private async hasFactor(userId: string): Promise<boolean> {
    const totp = await this.stores.totp.find(userId);
    return Boolean(totp?.confirmed) || (await this.stores.passkeys.listOf(userId)).length > 0;
  }
}
