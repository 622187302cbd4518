import { inject, injectable } from 'inversify';
import type { RequestContext } from '../audit/ports.js';
import { UserNotFound } from '../../domain/errors.js';
import { mfaEnabled } from '../../domain/events.js';
import { Clock, IdGenerator, UserRepository } from '../ports.js';
import { stamp } from '../accounts/user-view.js';
import { MfaStores, MfaUnitOfWork, Passkeys, CHALLENGE_TTL_MS } from './ports.js';

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Registers a passkey: options first, then the browser's response to them. The first passkey switches the method on. */
@injectable()
export class RegisterPasskey {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(MfaStores) private readonly stores: MfaStores,
    @inject(MfaUnitOfWork) private readonly uow: MfaUnitOfWork,
    @inject(Passkeys) private readonly passkeys: Passkeys,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async options(input: { userId: string }): Promise<Record<string, unknown>> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFound();
    const existing = await this.stores.passkeys.listOf(user.id);
    const { options, challenge } = await this.passkeys.registrationOptions({ id: user.id, username: user.username }, existing);
    await this.stores.challenges.issue(challenge, 'register', user.id, this.clock.now(), CHALLENGE_TTL_MS);
    return options;
  }

  /** @throws PasskeyRejected */
  async execute(input: { userId: string; response: unknown; name: string }, context: RequestContext = {}): Promise<PasskeyView> {
    const challengeOk = (challenge: string) => this.stores.challenges.consume(challenge, 'register', input.userId, this.clock.now());
    const verified = await this.passkeys.verifyRegistration(input.response, challengeOk);
    const now = this.clock.now();
    const passkey = { ...verified, id: this.ids.next(), userId: input.userId, name: input.name, createdAt: now, lastUsedAt: null };
    await this.uow.run(async ({ users, passkeys, outbox, audit }) => {
      // Locks the user row: two registrations at once agree on which one was the first.
      if (!(await users.findForUpdate(input.userId))) throw new UserNotFound();
      const first = (await passkeys.listOf(input.userId)).length === 0;
      await passkeys.add(passkey);
      if (first) await outbox.add(mfaEnabled(input.userId, 'webauthn', stamp(this.ids, this.clock)));
      const details = { method: 'webauthn', passkeyId: passkey.id, passkeyName: passkey.name };
      await audit.record({ type: 'mfa.enrolled', outcome: 'success', actor: input.userId, subjectId: input.userId, details, context });
    });
    return { id: passkey.id, name: passkey.name, createdAt: now, lastUsedAt: null };
  }
}
