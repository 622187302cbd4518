import { inject, injectable } from 'inversify';
import { InvalidCode, NotAuthenticated } from '../../domain/errors.js';
import type { RequestContext } from '../audit/ports.js';
import { Clock, IdGenerator, LoginThrottle, UserRepository, type LoginAttempt } from '../ports.js';
import {
  CodeThrottle,
  MfaStores,
  MfaUnitOfWork,
  RecoveryCodes,
  SecretBox,
  Totp,
  type SecondFactorProof,
  type SignInMethod,
} from './ports.js';
import { recoveryCodeUsed } from './security-notices.js';
import { VerifyPasskey } from './verify-passkey.js';

/** The method a proof uses, as the API and the audit trail name it. */
export function methodOf(proof: SecondFactorProof): SignInMethod {
  if ('webauthn' in proof) return 'webauthn';
  return 'code' in proof ? 'totp' : 'recovery-code';
}

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
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(Totp) private readonly totp: Totp,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(RecoveryCodes) private readonly codes: RecoveryCodes,
    @inject(CodeThrottle) private readonly codeThrottle: CodeThrottle,
    @inject(LoginThrottle) private readonly loginThrottle: LoginThrottle,
    @inject(VerifyPasskey) private readonly passkeys: VerifyPasskey,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string; proof: SecondFactorProof }, context: RequestContext = {}): Promise<void> {
    const { proof, userId } = input;
    if ('webauthn' in proof) {
      await this.passkeys.execute({ response: proof.webauthn, purpose: 'second-factor', userId, requireUserVerification: false }, context);
      return;
    }
    const user = await this.users.findById(userId);
    if (!user) throw new NotAuthenticated();
    const attempt: LoginAttempt = { account: user.username, client: context.client };
    await this.codeThrottle.begin(userId);
    await this.loginThrottle.begin(attempt);
    let accepted: boolean;
    try {
      accepted = 'code' in proof ? await this.useTotp(userId, proof.code) : await this.useRecoveryCode(userId, proof.recoveryCode, context);
    } catch (err) {
      await this.loginThrottle.cancel(attempt); // not checked (the database failed): given back
      throw err;
    }
    if (!accepted) {
      await this.loginThrottle.failed(attempt); // stays counted
      throw new InvalidCode();
    }
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

  /** The code is used up, audited and (at a verified address) notified in one transaction. */
  private async useRecoveryCode(userId: string, code: string, context: RequestContext): Promise<boolean> {
    const hash = this.codes.hash(code);
    if (hash === undefined || !(await this.hasFactor(userId))) return false;
    return this.uow.run(async (tx) => {
      if (!(await tx.recoveryCodes.use(userId, hash, this.clock.now()))) return false;
      const user = await tx.users.findById(userId);
      if (!user) return false; // deleted meanwhile: the transaction commits nothing of note
      await recoveryCodeUsed(tx, user, await tx.recoveryCodes.remaining(userId), { ids: this.ids, clock: this.clock }, context);
      return true;
    });
  }

  private async hasFactor(userId: string): Promise<boolean> {
    const totp = await this.stores.totp.find(userId);
    return Boolean(totp?.confirmed) || (await this.stores.passkeys.listOf(userId)).length > 0;
  }
}
