import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, AuthenticatorTransport, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AssertionOutcome, NewPasskey, PasskeyOptions, Passkeys, StoredPasskey } from '../../application/mfa/ports.js';
import { PasskeyRejected } from '../../domain/errors.js';

const TIMEOUT_MS = 5 * 60_000;

/**
 * The WebAuthn library, loaded on the first passkey request rather than at start-up: it is the heaviest module
 * the service imports (about a third of a second), and most processes never see a passkey.
 */
let library: Promise<typeof SimpleWebAuthn> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** The relying party: its id is PUBLIC_URL's host name, and responses must come from PUBLIC_URL's origin. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyOf(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, name: 'authsvc', origin: url.origin };
}

/** WebAuthn with @simplewebauthn/server: it checks challenge, origin, RP id hash, flags, signature and counter. */
export class SimpleWebAuthnPasskeys implements Passkeys {
  constructor(private readonly rp: RelyingParty) {}

  async registrationOptions(user: { id: string; username: string }, existing: StoredPasskey[]): Promise<PasskeyOptions> {
    const options = await (
      await webauthn()
    ).generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: user.username,
      userID: new TextEncoder().encode(user.id),
      timeout: TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      // Discoverable, so it can sign in without a username; verification preferred, so a plain security key
      // still serves as a second factor (a passwordless login requires verification, at sign-in).
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return { options: options as unknown as Record<string, unknown>, challenge: options.challenge };
  }

  async verifyRegistration(response: unknown, challengeOk: (challenge: string) => Promise<boolean>): Promise<NewPasskey> {
    let verified;
    try {
      verified = await (
        await webauthn()
      ).verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challengeOk,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: false,
      });
    } catch (err) {
      throw new PasskeyRejected((err as Error).message || 'does not verify');
    }
    if (!verified.verified) throw new PasskeyRejected('does not verify');
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
    };
  }

  async authenticationOptions(allow: StoredPasskey[], userVerification: 'required' | 'preferred'): Promise<PasskeyOptions> {
    const options = await (
      await webauthn()
    ).generateAuthenticationOptions({
      rpID: this.rp.id,
      timeout: TIMEOUT_MS,
      userVerification,
      allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    });
    return { options: options as unknown as Record<string, unknown>, challenge: options.challenge };
  }

  credentialIdOf(response: unknown): string | undefined {
    const id = (response as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 1400 ? id : undefined;
  }

  async verifyAuthentication(
    response: unknown,
    passkey: StoredPasskey,
    challengeOk: (challenge: string) => Promise<boolean>,
    requireUserVerification: boolean,
  ): Promise<AssertionOutcome> {
    try {
      const { verified, authenticationInfo } = await (
        await webauthn()
      ).verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challengeOk,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
      });
      if (!verified) return { ok: false, counterWentBack: false };
      return { ok: true, newCounter: authenticationInfo.newCounter, userVerified: authenticationInfo.userVerified };
    } catch (err) {
      // The library refuses a counter that did not move forward with this message; everything else is a plain failure.
      return { ok: false, counterWentBack: /counter value/i.test((err as Error).message ?? '') };
    }
  }
}
