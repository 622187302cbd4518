import { inject, injectable } from 'inversify';
import { IncorrectCurrentPassword, NotAuthenticated } from '../../domain/errors.js';
import { candidatePassword } from '../../domain/password.js';
import type { RequestContext } from '../audit/ports.js';
import { checkCounted } from '../accounts/password-check.js';
import { LoginThrottle, PasswordHasher, UserRepository } from '../ports.js';
import type { SecondFactorProof } from './ports.js';
import { VerifySecondFactor } from './verify-second-factor.js';

export type ReauthenticationProof = { password: string } | SecondFactorProof;

/**
 * A logged-in user proves again who they are (the password, or a second factor) before a sensitive change.
 * A wrong password counts as a failed login; wrong codes count as in a login.
 * @throws IncorrectCurrentPassword, InvalidCode, TooManyAttempts
 */
@injectable()
export class Reauthenticate {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(VerifySecondFactor) private readonly secondFactor: VerifySecondFactor,
  ) {}

  async execute(input: { userId: string; proof: ReauthenticationProof }, context: RequestContext = {}): Promise<void> {
    const { proof } = input;
    if (!('password' in proof)) return this.secondFactor.execute({ userId: input.userId, proof }, context);
    const user = await this.users.findById(input.userId);
    if (!user) throw new NotAuthenticated();
    const attempt = { account: user.username, client: context.client };
    const password = candidatePassword(proof.password);
    // One place in the login throttle, as a login takes: a right password gives the client's back, a wrong one
    // (an impossible one too) stays counted.
    const matches = await checkCounted(
      this.throttle,
      attempt,
      async () => password !== undefined && this.hasher.verify(password, user.passwordHash),
    );
    if (!matches) throw new IncorrectCurrentPassword('password');
  }
}
