import type { User } from '../../domain/user.js';
import type { AuditActor, RequestContext } from '../audit/ports.js';
import { mailFor, type Stamps } from '../email/mail.js';
import type { MfaTxScope, StoredPasskey } from './ports.js';

type NoticeScope = Pick<MfaTxScope, 'audit' | 'mail'>;

/**
 * A recovery code was used: audited, and the owner told at a verified address (an unverified one may not be
 * theirs), in the transaction that used the code up. Only the count of codes left is recorded, never a code.
 */
export async function recoveryCodeUsed(
  tx: NoticeScope,
  user: User,
  remaining: number,
  stamps: Stamps,
  context: RequestContext,
): Promise<void> {
  await tx.audit.record({
    type: 'recovery_code.used',
    outcome: 'success',
    actor: user.id,
    subjectId: user.id,
    details: { remaining },
    context,
  });
  if (user.verifiedEmail)
    await tx.mail.add(mailFor(user, user.verifiedEmail, 'recovery-code-used', stamps, { remaining: String(remaining) }));
}

/**
 * A passkey answered with a signature counter that did not move forward: a sign-in by a copy of the
 * authenticator, refused. Audited with the credential's public id (never its key), and the owner told at a
 * verified address. `actor` is who tried: the user who proved the password, or nobody signed in.
 */
export async function passkeyCloneSuspected(
  tx: NoticeScope,
  user: User,
  passkey: StoredPasskey,
  actor: AuditActor,
  stamps: Stamps,
  context: RequestContext,
): Promise<void> {
  await tx.audit.record({
    type: 'mfa.passkey_clone_suspected',
    outcome: 'failure',
    actor,
    subjectId: user.id,
    details: { passkeyId: passkey.id, credentialId: passkey.credentialId, passkeyName: passkey.name, storedCounter: passkey.counter },
    context,
  });
  if (user.verifiedEmail)
    await tx.mail.add(mailFor(user, user.verifiedEmail, 'passkey-clone-suspected', stamps, { passkeyName: passkey.name }));
}
