import type { EmailAddress } from '../../domain/email-address.js';
import type { User } from '../../domain/user.js';
import type { Clock, IdGenerator, TxScope } from '../ports.js';
import type { MailKind, OutgoingMail } from './ports.js';

/** A verification link is good for 24 hours. */
export const VERIFY_TTL_MS = 24 * 3_600_000;

/** What the email use cases need to stamp messages and tokens. */
export interface Stamps {
  ids: IdGenerator;
  clock: Clock;
}

export function mailFor(
  user: User,
  to: EmailAddress,
  kind: MailKind,
  { ids, clock }: Stamps,
  params: Record<string, string> = {},
): OutgoingMail {
  return { id: ids.next(), kind, to, userId: user.id, params: { username: user.username, ...params }, createdAt: clock.now() };
}

/**
 * Issues a verification token bound to the user and to its current address (a newer one voids the older), and
 * queues the message carrying its link. Inside the transaction that set the address.
 */
export async function sendVerification(tx: TxScope, user: User, stamps: Stamps): Promise<void> {
  const email = user.email;
  if (!email) return;
  const expiresAt = new Date(stamps.clock.now().getTime() + VERIFY_TTL_MS);
  const token = await tx.emailTokens.issue({ userId: user.id, purpose: 'verify-email', email, expiresAt });
  await tx.mail.add(mailFor(user, email, 'verify-email', stamps, { token }));
}

/**
 * After any password change: reset links still out there are void, and the owner hears of the change at a
 * verified address (an unverified one may not be theirs).
 */
export async function afterPasswordChange(tx: TxScope, user: User, stamps: Stamps, reason: 'change' | 'reset'): Promise<void> {
  await tx.emailTokens.voidAll(user.id, 'password-reset');
  if (user.verifiedEmail) await tx.mail.add(mailFor(user, user.verifiedEmail, 'password-changed', stamps, { reason }));
}
