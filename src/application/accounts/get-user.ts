import { inject, injectable } from 'inversify';
import { assertMayRead, type Caller } from '../../domain/access-policy.js';
import { UserNotFound } from '../../domain/errors.js';
import { UserRepository } from '../ports.js';
import { viewOf, type UserView } from './user-view.js';

@injectable()
export class GetUser {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async execute(input: { userId: string }, caller: Caller): Promise<UserView> {
    assertMayRead(caller, input.userId);
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    return viewOf(user);
  }
}
