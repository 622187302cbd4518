import { z } from 'zod';

// Request and response shapes of the second-factor endpoints (see ../schemas.ts for the conventions).
const code = z.string().max(16, 'must be at most 16 characters').describe('The 6-digit code the authenticator app shows');
const recoveryCode = z.string().max(32, 'must be at most 32 characters').describe('One of the recovery codes, like 4f7kq-x2m9d');
const webauthn = z.record(z.string(), z.unknown()).describe('The PublicKeyCredential as JSON (what @simplewebauthn/browser returns)');

export const codeBody = z.strictObject({ code });

/** Exactly one second factor. */
export const secondFactorBody = z.union([z.strictObject({ code }), z.strictObject({ recoveryCode }), z.strictObject({ webauthn })]);

export const reauthenticateBody = z.union([
  z.strictObject({ password: z.string().max(1024, 'must be at most 1024 characters') }),
  z.strictObject({ code }),
  z.strictObject({ recoveryCode }),
  z.strictObject({ webauthn }),
]);

export const registerPasskeyBody = z.strictObject({
  response: webauthn,
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .describe('A name the user recognises the passkey by'),
});

export const passkeyLoginOptionsBody = z.strictObject({ username: z.string().max(256).optional() });
export const passkeyLoginBody = z.strictObject({ response: webauthn });

export const totpEnrolment = z.object({
  secret: z.string().describe('base32, 160 bits'),
  otpauthUri: z.string().describe('otpauth://totp/... (SHA1, 6 digits, 30 s)'),
  qrSvg: z.string().describe('The otpauthUri as a QR code, an SVG document'),
});
export const recoveryCodesView = z.object({ recoveryCodes: z.array(z.string()).describe('Ten codes, shown once') });
export const mfaStatus = z.object({
  totp: z
    .boolean()
    .describe('Whether one-time codes from an authenticator app are on (confirmed); false while an enrolment is unconfirmed'),
  passkeys: z.number().int().describe('How many passkeys the account has'),
  recoveryCodesRemaining: z.number().int().describe('Unused recovery codes'),
});
export const mfaChallenge = z.object({
  mfaRequired: z.literal(true),
  methods: z.array(z.enum(['totp', 'webauthn', 'recovery-code'])),
});
export const passkeyView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});
export const passkeyList = z.object({ credentials: z.array(passkeyView) });
export const webauthnOptions = z.record(z.string(), z.unknown()).describe('PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON');
