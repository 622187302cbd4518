import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { EmailToken, EmailTokens, TokenPurpose } from '../../../application/email/ports.js';
import type { EmailAddress } from '../../../domain/email-address.js';

/** 256 random bits, in a link's fragment as 43 base64url characters. */
const TOKEN_BYTES = 32;

/** What the table keys a token by: its SHA-256. A leaked table hands out no usable link. */
export function tokenHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

interface TokenRow {
  hash: string;
  userId: string;
  purpose: string;
  email: string;
  expiresAt: number | string;
}

const toToken = (row: TokenRow): EmailToken => ({
  userId: row.userId,
  purpose: row.purpose as TokenPurpose,
  email: row.email as EmailAddress,
  expiresAt: new Date(Number(row.expiresAt)),
});

/**
 * Tokens in the caller's transaction. A lookup is by the hash of the presented value through the primary key:
 * the database compares hashes, never the secret itself, so its timing tells nothing about a valid token.
 */
export class KnexEmailTokens implements EmailTokens {
  constructor(private readonly trx: Knex | Knex.Transaction) {}

  async issue(token: EmailToken): Promise<string> {
    const value = randomBytes(TOKEN_BYTES).toString('base64url');
    await this.voidAll(token.userId, token.purpose); // a newer token supersedes the older ones
    await this.trx('email_tokens').insert({
      hash: tokenHash(value),
      userId: token.userId,
      purpose: token.purpose,
      email: token.email,
      expiresAt: token.expiresAt.getTime(),
      createdAt: Date.now(),
    });
    return value;
  }

  async take(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined> {
    const found = await this.peek(value, purpose);
    if (!found) return undefined;
    // Whoever deletes the row used the token: of two concurrent uses, one deletes nothing.
    const deleted = await this.trx('email_tokens')
      .where({ hash: tokenHash(value), purpose })
      .delete();
    return Number(deleted) === 1 ? found : undefined;
  }

  async peek(value: string, purpose: TokenPurpose): Promise<EmailToken | undefined> {
    const row = (await this.trx('email_tokens')
      .where({ hash: tokenHash(value), purpose })
      .first()) as TokenRow | undefined;
    return row && toToken(row);
  }

  async voidAll(userId: string, purpose?: TokenPurpose): Promise<void> {
    await this.trx('email_tokens')
      .where({ userId, ...(purpose && { purpose }) })
      .delete();
  }
}
