import { inject, injectable } from 'inversify';
import { UsernameTaken } from '../../domain/errors.js';
import { parseUsername } from '../../domain/username.js';
import { CreateUser } from './create-user.js';
import { UserRepository } from '../ports.js';

export type EnsureAdminOutcome = 'created' | 'exists' | 'exists-not-admin';

/** Creates the configured start-up admin unless an account of that name exists. Safe to run on every start. */
@injectable()
export class EnsureAdmin {
  constructor(
    @inject(CreateUser) private readonly createUser: CreateUser,
    @inject(UserRepository) private readonly users: UserRepository,
  ) {}

  async execute(input: { username: string; password: string }): Promise<EnsureAdminOutcome> {
    const existing = await this.users.findByUsername(parseUsername(input.username));
    // An existing account is left as it is: its password and role may have been changed on purpose since.
    if (existing) return existing.isAdmin ? 'exists' : 'exists-not-admin';
    try {
      await this.createUser.execute({ ...input, role: 'admin' }, 'system');
      return 'created';
    } catch (err) {
      if (err instanceof UsernameTaken) return 'exists'; // another instance created it at the same moment
      throw err;
    }
  }
}
