import { inject, injectable } from 'inversify';
import { assertMayList, type Caller } from '../domain/access-policy.js';
import { ValidationFailed } from '../domain/errors.js';
import { UserRepository } from './ports.js';
import { viewOf, type UserView } from './user-view.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@injectable()
export class ListUsers {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async execute(input: { limit?: number; after?: string }, caller: Caller): Promise<{ users: UserView[]; nextCursor: string | null }> {
    assertMayList(caller);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new ValidationFailed('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const page = await this.users.list({ limit, after: input.after });
    return { users: page.users.map(viewOf), nextCursor: page.nextCursor };
  }
}
