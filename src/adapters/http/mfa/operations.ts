import { loginResult } from '../schemas.js';
import type { Operation } from '../openapi.js';
import {
  codeBody,
  mfaChallenge,
  mfaStatus,
  passkeyList,
  passkeyLoginBody,
  passkeyLoginOptionsBody,
  passkeyView,
  reauthenticateBody,
  recoveryCodesView,
  registerPasskeyBody,
  secondFactorBody,
  totpEnrolment,
  webauthnOptions,
} from './schemas.js';

const RECENT = ' Needs an authentication within REAUTH_WINDOW_SECONDS (403 reauthentication-required).';
const ASSERTION_EXAMPLE = { id: 'base64url credential id', rawId: 'base64url credential id', type: 'public-key', response: {}, clientExtensionResults: {} };

/** The second-factor endpoints, in the same form as the rest of the API's operations. */
export const mfaOperations: Operation[] = [
  {
    method: 'get', path: '/mfa', tag: 'second factor', summary: "The caller's second factors", auth: 'session',
    success: { status: 200, schema: mfaStatus, description: 'What is switched on, and how many recovery codes are left' }, errors: [401],
  },
  {
    method: 'post', path: '/mfa/totp', tag: 'second factor', summary: `Start a one-time-code enrolment (TOTP, SHA-1, 6 digits, 30 s).${RECENT}`, auth: 'session',
    success: { status: 200, schema: totpEnrolment, description: 'The secret, as text, otpauth URI and QR code; nothing is active until confirmed' }, errors: [401, 403, 409],
  },
  {
    method: 'post', path: '/mfa/totp/confirm', tag: 'second factor', summary: `Confirm the enrolment with a code from the app.${RECENT}`, auth: 'session',
    body: codeBody, example: { code: '123456' },
    success: { status: 200, schema: recoveryCodesView, description: 'One-time codes are on; ten new recovery codes, shown once' },
    errors: [400, 401, 403, 409, 413, 415, 429],
  },
  {
    method: 'delete', path: '/mfa/totp', tag: 'second factor', summary: `Switch one-time codes off.${RECENT}`, auth: 'session',
    success: { status: 204, description: 'Off' }, errors: [401, 403, 409],
  },
  {
    method: 'post', path: '/mfa/recovery-codes', tag: 'second factor', summary: `A new set of recovery codes; the old set stops working.${RECENT}`, auth: 'session',
    success: { status: 200, schema: recoveryCodesView, description: 'Ten new codes, shown once' }, errors: [401, 403, 409],
  },
  {
    method: 'post', path: '/login/mfa', tag: 'sessions', summary: 'Finish a login with the second factor (after POST /login answered mfaRequired)', auth: 'session',
    body: secondFactorBody, example: { code: '123456' },
    success: { status: 200, schema: loginResult, description: 'Logged in, under a new session id. A disabled account: 403 account-disabled, as at POST /login' }, errors: [400, 401, 403, 413, 415, 429],
  },
  {
    method: 'post', path: '/login/mfa/webauthn/options', tag: 'sessions', summary: 'WebAuthn options to finish a login with a passkey', auth: 'session',
    success: { status: 200, schema: webauthnOptions, description: 'PublicKeyCredentialRequestOptionsJSON' }, errors: [401, 409],
  },
  {
    method: 'post', path: '/reauthenticate', tag: 'sessions', summary: 'Prove again who you are (password or a second factor) before a sensitive change', auth: 'session',
    body: reauthenticateBody, example: { password: 'difference engine no 2' },
    success: { status: 204, description: 'The session counts as recently authenticated' }, errors: [400, 401, 403, 413, 415, 429, 503],
  },
  {
    method: 'post', path: '/reauthenticate/webauthn/options', tag: 'sessions', summary: 'WebAuthn options to re-authenticate with a passkey', auth: 'session',
    success: { status: 200, schema: webauthnOptions, description: 'PublicKeyCredentialRequestOptionsJSON' }, errors: [401, 409],
  },
  {
    method: 'post', path: '/webauthn/register/options', tag: 'second factor', summary: `Options to register a passkey.${RECENT}`, auth: 'session',
    success: { status: 200, schema: webauthnOptions, description: 'PublicKeyCredentialCreationOptionsJSON' }, errors: [401, 403],
  },
  {
    method: 'post', path: '/webauthn/register', tag: 'second factor', summary: `Register a passkey with the browser's answer to the options.${RECENT}`, auth: 'session',
    body: registerPasskeyBody, example: { response: { id: 'base64url credential id', type: 'public-key', response: {} }, name: 'Laptop' },
    success: { status: 201, schema: passkeyView, description: 'Registered' }, errors: [400, 401, 403, 413, 415],
  },
  {
    method: 'get', path: '/webauthn/credentials', tag: 'second factor', summary: "The caller's passkeys", auth: 'session',
    success: { status: 200, schema: passkeyList, description: 'Oldest first' }, errors: [401],
  },
  {
    method: 'delete', path: '/webauthn/credentials/{id}', tag: 'second factor', summary: `Delete one of the caller's passkeys.${RECENT}`, auth: 'session',
    success: { status: 204, description: 'Deleted' }, errors: [401, 403, 404],
  },
  {
    method: 'post', path: '/webauthn/login/options', tag: 'sessions', summary: 'Options to sign in with a passkey, without a password', auth: 'none',
    body: passkeyLoginOptionsBody, example: { username: 'ada.lovelace' },
    success: { status: 200, schema: webauthnOptions, description: 'PublicKeyCredentialRequestOptionsJSON' }, errors: [400, 413, 415],
  },
  {
    method: 'post', path: '/webauthn/login', tag: 'sessions', summary: 'Sign in with a passkey: the same answer and session as a full login', auth: 'none',
    body: passkeyLoginBody, example: { response: ASSERTION_EXAMPLE },
    success: { status: 200, schema: loginResult, description: 'Logged in; Set-Cookie carries the session. Failures count against the login throttle (per client, and per account when the passkey is registered): 429 with Retry-After over it. A disabled account: 403 account-disabled once the passkey verified, as at POST /login' },
    errors: [400, 401, 403, 413, 415, 429],
  },
];

/** The answer of POST /login for an account with a second factor. */
export const loginAnswers = [loginResult, mfaChallenge] as const;
