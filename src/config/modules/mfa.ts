import { databaseName } from '../../adapters/persistence/dialect.js';
import { randomBytes } from 'node:crypto';
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { ConfirmTotp } from '../../application/mfa/confirm-totp.js';
import { CompleteLogin } from '../../application/mfa/complete-login.js';
import { DisableTotp } from '../../application/mfa/disable-totp.js';
import { EnrolTotp } from '../../application/mfa/enrol-totp.js';
import { DeletePasskey, ListPasskeys } from '../../application/mfa/manage-passkeys.js';
import { PasskeyLogin } from '../../application/mfa/passkey-login.js';
import { CodeThrottle, MfaStores, MfaUnitOfWork, Passkeys, QrCodes, RecoveryCodes, SecretBox, Totp } from '../../application/mfa/ports.js';
import { Reauthenticate } from '../../application/mfa/reauthenticate.js';
import { RegenerateRecoveryCodes } from '../../application/mfa/regenerate-recovery-codes.js';
import { RegisterPasskey } from '../../application/mfa/register-passkey.js';
import { SecondFactorOptions } from '../../application/mfa/second-factor-options.js';
import { SecondFactors } from '../../application/mfa/second-factors.js';
import { VerifyPasskey } from '../../application/mfa/verify-passkey.js';
import { VerifySecondFactor } from '../../application/mfa/verify-second-factor.js';
import { OutboxSignal } from '../../application/outbox/ports.js';
import type { AuditLog } from '../../application/audit/ports.js';
import { AuditLogFor } from '../../adapters/persistence/knex-unit-of-work.js';
import type { SecondFactorRoutes } from '../../adapters/http/mfa/index.js';
import { AesGcmSecretBox } from '../../adapters/mfa/aes-gcm-secret-box.js';
import { HmacRecoveryCodes } from '../../adapters/mfa/hmac-recovery-codes.js';
import { OtpauthTotp } from '../../adapters/mfa/otpauth-totp.js';
import { QrcodeSvg } from '../../adapters/mfa/qrcode-svg.js';
import { RateLimiterCodeThrottle } from '../../adapters/throttling/rate-limiter-code-throttle.js';
import { relyingPartyOf, SimpleWebAuthnPasskeys } from '../../adapters/mfa/simplewebauthn-passkeys.js';
import { KnexChallenges } from '../../adapters/persistence/mfa/knex-challenges.js';
import { KnexMfaUnitOfWork } from '../../adapters/persistence/mfa/knex-mfa-unit-of-work.js';
import { KnexPasskeys } from '../../adapters/persistence/mfa/knex-passkeys.js';
import { KnexRecoveryCodes } from '../../adapters/persistence/mfa/knex-recovery-codes.js';
import { KnexTotpStore } from '../../adapters/persistence/mfa/knex-totp-store.js';
import type { Env } from '../env.js';

/** Second factors: one-time codes, recovery codes, passkeys. Call after the shared ports are bound. */
export function bindMfa(container: Container, env: Env, db: Knex): void {
  // Outside production a random key for this process (the API says so at start-up, see service.ts).
  const keySecret = env.mfa.keySecret ?? randomBytes(32).toString('hex');
  const stores: MfaStores = {
    totp: new KnexTotpStore(db),
    recoveryCodes: new KnexRecoveryCodes(db),
    passkeys: new KnexPasskeys(db),
    challenges: new KnexChallenges(db),
  };
  container.bind<MfaStores>(MfaStores).toConstantValue(stores);
  container
    .bind<MfaUnitOfWork>(MfaUnitOfWork)
    .toDynamicValue(
      (c) => new KnexMfaUnitOfWork(db, c.get<OutboxSignal>(OutboxSignal), c.get<(trx: Knex.Transaction) => AuditLog>(AuditLogFor)),
    );
  container.bind<SecretBox>(SecretBox).toConstantValue(new AesGcmSecretBox(keySecret));
  container.bind<RecoveryCodes>(RecoveryCodes).toConstantValue(new HmacRecoveryCodes(keySecret));
  container.bind<Totp>(Totp).toConstantValue(new OtpauthTotp(new URL(env.mfa.publicUrl).hostname));
  container.bind<QrCodes>(QrCodes).toConstantValue(new QrcodeSvg());
  const database = databaseName(db);
  container.bind<CodeThrottle>(CodeThrottle).toConstantValue(new RateLimiterCodeThrottle({ kind: 'database', db, database }));
  container.bind<Passkeys>(Passkeys).toConstantValue(new SimpleWebAuthnPasskeys(relyingPartyOf(env.mfa.publicUrl)));
  for (const useCase of [
    SecondFactors,
    EnrolTotp,
    ConfirmTotp,
    DisableTotp,
    RegenerateRecoveryCodes,
    VerifyPasskey,
    VerifySecondFactor,
    CompleteLogin,
    PasskeyLogin,
    SecondFactorOptions,
    RegisterPasskey,
    ListPasskeys,
    DeletePasskey,
    Reauthenticate,
  ]) {
    // The array's element type is a union of classes, which inversify's bind() cannot take as it is.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    container.bind(useCase as new (...args: never[]) => unknown).toSelf();
  }
}

/** The use cases the second-factor routes call. */
export function mfaUseCases(container: Container): SecondFactorRoutes {
  return {
    secondFactors: container.get(SecondFactors),
    enrolTotp: container.get(EnrolTotp),
    confirmTotp: container.get(ConfirmTotp),
    disableTotp: container.get(DisableTotp),
    regenerateRecoveryCodes: container.get(RegenerateRecoveryCodes),
    registerPasskey: container.get(RegisterPasskey),
    listPasskeys: container.get(ListPasskeys),
    deletePasskey: container.get(DeletePasskey),
    passkeyLogin: container.get(PasskeyLogin),
    completeLogin: container.get(CompleteLogin),
    secondFactorOptions: container.get(SecondFactorOptions),
    reauthenticate: container.get(Reauthenticate),
  };
}
