import { inject, injectable } from 'inversify';
import { assertMayList, type Caller } from '../../domain/access-policy.js';
import { ValidationFailed } from '../../domain/errors.js';
import { UserRepository } from '../ports.js';
import { viewOf, type UserView } from './user-view.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** The longest thing a search can match: an address (RFC 5321's 254 octets; usernames stop at 64). */
export const MAX_SEARCH = 254;

// Control characters, and the separators a username or an address cannot hold either.
// eslint-disable-next-line no-control-regex
const UNSEARCHABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * The search term as the repository takes it: trimmed and lower case (usernames and addresses are stored lower
 * case), undefined when blank. Refused when longer than anything stored or holding control characters.
 */
export function parseUserSearch(raw: string | undefined): string | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  if (value.length > MAX_SEARCH) throw new ValidationFailed('q', `must be at most ${MAX_SEARCH} characters`);
  if (UNSEARCHABLE.test(value)) throw new ValidationFailed('q', 'must not contain control characters');
  return value;
}

@injectable()
export class ListUsers {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  /** A page of users, oldest first; with `q`, only those whose username or address starts with it. */
  async execute(
    input: { limit?: number; after?: string; q?: string },
    caller: Caller,
  ): Promise<{ users: UserView[]; nextCursor: string | null }> {
    assertMayList(caller);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new ValidationFailed('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const prefix = parseUserSearch(input.q);
    const page = await this.users.list({ limit, after: input.after, prefix });
    return { users: page.users.map(viewOf), nextCursor: page.nextCursor };
  }
}
