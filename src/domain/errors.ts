/**
 * Expected failures of the user model. The HTTP edge maps each `code` to a status in one table
 * (src/adapters/http/problem-details.ts); anything that is not a DomainError is a 500.
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
  readonly field = 'currentPassword';
  constructor() {
    super('currentPassword: does not match the account password');
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
    super('The last admin cannot be demoted or deleted');
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
