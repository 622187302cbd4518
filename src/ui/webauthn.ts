import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnAbortService } from '@simplewebauthn/browser';

/** The service may answer the options as they are, or wrapped as `{options}`; both come out as the options. */
function optionsOf<T>(answer: unknown): T {
  const wrapped = answer && typeof answer === 'object' && 'options' in answer ? answer.options : answer;
  return wrapped as T;
}

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

type AuthOptions = Parameters<typeof startAuthentication>[0]['optionsJSON'];
type RegOptions = Parameters<typeof startRegistration>[0]['optionsJSON'];

export async function authenticateWithPasskey(options: unknown) {
  return startAuthentication({ optionsJSON: optionsOf<AuthOptions>(options) });
}

export async function createPasskey(options: unknown) {
  return startRegistration({ optionsJSON: optionsOf<RegOptions>(options) });
}

export function cancelPasskeyCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}

/** The browser's refusal (the person cancelled, timed out, or no passkey fits) in words. */
export function passkeyFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'NotAllowedError' || error.name === 'AbortError') {
    return 'The passkey request was cancelled or timed out. Try again.';
  }
  if (error.name === 'InvalidStateError') return 'This passkey is already registered.';
  if (error.name === 'SecurityError') return 'Passkeys need this page to be opened at the address the service is configured for.';
  return undefined;
}
