/**
 * Expected failures of the user model. The HTTP edge maps each `code` to a status in one table
 * (src/adapters/http/error-table.ts); anything that is not a DomainError is a 500.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  readonly code = 'validation-failed';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** One answer for an unknown username and a wrong password, so the API does not reveal which names exist. */
export class InvalidCredentials extends DomainError {
  readonly code = 'invalid-credentials';
  constructor() {
    super('The username or password is incorrect');
  }
}

/** The current password given to confirm a change is wrong. */
export class IncorrectCurrentPassword extends DomainError {
  readonly code = 'incorrect-current-password';
  constructor(readonly field = 'currentPassword') {
    super(`${field}: does not match the account password`);
  }
}

export class UsernameTaken extends DomainError {
  readonly code = 'username-taken';
  readonly field = 'username';
  constructor(options?: ErrorOptions) {
    super('This username is already taken', options);
  }
}

export class UserNotFound extends DomainError {
  readonly code = 'user-not-found';
  constructor() {
    super('No user has this id');
  }
}

/** The caller is known but the rules do not let it do this. */
export class Forbidden extends DomainError {
  readonly code = 'forbidden';
  constructor(
    reason: string,
    readonly field?: string,
  ) {
    super(reason);
  }
}

export class CannotDeleteSelf extends DomainError {
  readonly code = 'cannot-delete-self';
  constructor() {
    super('An account cannot delete itself');
  }
}

export class LastAdmin extends DomainError {
  readonly code = 'last-admin';
  constructor() {
    super('The last active admin cannot be demoted, disabled or deleted');
  }
}

/** The operation needs a logged-in caller and there is none (no session, an ended one, or a deleted account). */
export class NotAuthenticated extends DomainError {
  readonly code = 'not-authenticated';
  constructor() {
    super('Log in first');
  }
}

/** Too many failed logins on the account or from the client: wait before trying again. */
export class TooManyAttempts extends DomainError {
  readonly code = 'too-many-attempts';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed attempts: try again in ${retryAfterSeconds} s`);
  }
}

/** The service is at its limit of concurrent password hashing: try again shortly, instead of queueing without end. */
export class Busy extends DomainError {
  readonly code = 'busy';
  constructor(readonly retryAfterSeconds = 1) {
    super('The service is busy: try again shortly');
  }
}

/** The password was right, but an admin disabled the account: it cannot sign in. */
export class AccountDisabled extends DomainError {
  readonly code = 'account-disabled';
  constructor() {
    super('This account is disabled');
  }
}

export class CannotDisableSelf extends DomainError {
  readonly code = 'cannot-disable-self';
  constructor() {
    super('An account cannot disable itself');
  }
}

/** The session has proven the password but not yet the second factor: it may only finish the login. */
export class MfaRequired extends DomainError {
  readonly code = 'mfa-required';
  constructor() {
    super('Finish the login with the second factor first (POST /login/mfa)');
  }
}

/**
 * A one-time code, recovery code or passkey assertion that is wrong, already used or expired. `variant`
 * 'confirmation' is an enrolment proving the app has the secret (an input error), otherwise a sign-in.
 */
export class InvalidCode extends DomainError {
  readonly code = 'invalid-code';
  constructor(
    readonly variant: 'sign-in' | 'confirmation' = 'sign-in',
    readonly field?: string,
  ) {
    super(
      variant === 'confirmation' ? `${field ?? 'code'}: does not match the authenticator` : 'The code is wrong, expired or already used',
    );
  }
}

/** A sensitive change needs an authentication within the re-authentication window. */
export class ReauthenticationRequired extends DomainError {
  readonly code = 'reauthentication-required';
  constructor() {
    super('Authenticate again first (POST /reauthenticate)');
  }
}

/** An admin must enrol a second factor before anything else (MFA_REQUIRED_FOR_ADMINS). */
export class MfaEnrolmentRequired extends DomainError {
  readonly code = 'mfa-enrolment-required';
  constructor() {
    super('Admins must enrol a second factor first (POST /mfa/totp or POST /webauthn/register/options)');
  }
}

/** The second-factor state does not allow this (already enabled, nothing to confirm, none enabled). */
export class MfaConflict extends DomainError {
  readonly code = 'mfa-conflict';
  constructor(reason: string) {
    super(reason);
  }
}

export class PasskeyNotFound extends DomainError {
  readonly code = 'passkey-not-found';
  constructor() {
    super('No passkey of this account has this id');
  }
}

/** A passkey registration that does not verify (wrong challenge, origin, RP, or a malformed response). */
export class PasskeyRejected extends DomainError {
  readonly code = 'passkey-rejected';
  readonly field = 'response';
  constructor(readonly reason: string) {
    super(`response: ${reason}`);
  }
}

/** No session of the caller has this id: whether it exists for someone else is not told. */
export class SessionNotFound extends DomainError {
  readonly code = 'session-not-found';
  constructor() {
    super('You have no session with this id');
  }
}

export class EmailTaken extends DomainError {
  readonly code = 'email-taken';
  readonly field = 'email';
  constructor(options?: ErrorOptions) {
    super('This email address belongs to another account', options);
  }
}

/** One answer for an unknown, used, expired or superseded token, and one bound to an address no longer the user's. */
export class InvalidToken extends DomainError {
  readonly code = 'invalid-token';
  readonly field = 'token';
  constructor() {
    super('token: is not valid (unknown, used, expired or replaced by a newer one)');
  }
}
