import * as domainErrors from '../../domain/errors.js';
import type { DomainError } from '../../domain/errors.js';

/** A field the client got wrong, named as a JSON path into the request (`password`, `query.limit`, `body`). */
export interface FieldIssue {
  field: string;
  reason: string;
}

/** Every concrete error class src/domain/errors.ts exports, as an instance type; each has its own literal `code`. */
type DomainErrorOf<T> = T extends abstract new (...args: never[]) => infer E ? (E extends DomainError ? E : never) : never;
type AnyDomainError = {
  [K in keyof typeof domainErrors]: DomainErrorOf<(typeof domainErrors)[K]> extends infer E extends DomainError
    ? string extends E['code']
      ? never // the abstract base: no code of its own
      : E
    : never;
}[keyof typeof domainErrors];

export type DomainErrorCode = AnyDomainError['code'];

/** How the HTTP edge answers one domain error, with the error's own fields typed. */
interface Spec<E> {
  status: number;
  title: string;
  /** Another status for some instances (an enrolment's wrong first code is an input error, not a failed sign-in). */
  alternative?: { status: number; when: (err: E) => boolean };
  /** The fields the client got wrong, listed in the problem's `errors`. */
  issues?: (err: E) => FieldIssue[];
  /** Seconds to wait, sent as `Retry-After`. */
  retryAfter?: (err: E) => number;
}

/** An error with a `field` must say how it is listed, one with `retryAfterSeconds` must send it: neither is forgotten. */
type Mandatory<E> = ('field' extends keyof E ? { issues: (err: E) => FieldIssue[] } : unknown) &
  ('retryAfterSeconds' extends keyof E ? { retryAfter: (err: E) => number } : unknown);

/** What one error looks like as an answer. */
export interface Answer {
  status: number;
  title: string;
  issues?: FieldIssue[];
  retryAfter?: number;
}

export interface Rule<E extends DomainError = DomainError> {
  readonly type: abstract new (...args: never[]) => E;
  readonly status: number;
  readonly title: string;
  /** Every status this error can be answered with. */
  readonly statuses: readonly number[];
  /** The answer to `err`, when it is of this rule's type. */
  answer(err: DomainError): Answer | undefined;
}

function rule<E extends DomainError>(type: abstract new (...args: never[]) => E, spec: NoInfer<Spec<E> & Mandatory<E>>): Rule<E> {
  const { status, title, alternative, issues, retryAfter } = spec;
  return {
    type,
    status,
    title,
    statuses: alternative ? [status, alternative.status] : [status],
    answer(err) {
      if (!(err instanceof type)) return undefined;
      const listed = issues?.(err);
      return {
        status: alternative?.when(err) ? alternative.status : status,
        title,
        ...(listed?.length && { issues: listed }),
        ...(retryAfter && { retryAfter: retryAfter(err) }),
      };
    },
  };
}

/** The field an error names, with its reason (or its message), when it names one. */
const fieldIssue = (err: DomainError & { field?: string; reason?: string }): FieldIssue[] =>
  err.field ? [{ field: err.field, reason: err.reason ?? err.message }] : [];
const retryAfterSeconds = (err: { retryAfterSeconds: number }): number => err.retryAfterSeconds;

const e = domainErrors;

/**
 * The HTTP error contract of every domain error: its status, title and what the answer adds, by `code`. The
 * type makes it complete (a new error class in src/domain/errors.ts does not compile until it is here) and ties
 * each entry to its class. The problem+json middleware, the OpenAPI document and the login metrics read it.
 */
export const domainRules: { readonly [E in AnyDomainError as E['code']]: Rule<E> } = {
  'validation-failed': rule(e.ValidationFailed, { status: 400, title: 'Invalid request', issues: fieldIssue }),
  'invalid-token': rule(e.InvalidToken, { status: 400, title: 'Invalid or expired token', issues: fieldIssue }),
  'passkey-rejected': rule(e.PasskeyRejected, { status: 400, title: 'Passkey rejected', issues: fieldIssue }),
  'not-authenticated': rule(e.NotAuthenticated, { status: 401, title: 'Not authenticated' }),
  'invalid-credentials': rule(e.InvalidCredentials, { status: 401, title: 'Invalid username or password' }),
  'mfa-required': rule(e.MfaRequired, { status: 401, title: 'Second factor required' }),
  'invalid-code': rule(e.InvalidCode, {
    status: 401,
    title: 'Invalid code',
    // The same code when an enrolment's first code is wrong: an input error, the session is fine.
    alternative: { status: 400, when: (err) => err.variant === 'confirmation' },
    issues: fieldIssue,
  }),
  forbidden: rule(e.Forbidden, { status: 403, title: 'Forbidden', issues: fieldIssue }),
  'cannot-delete-self': rule(e.CannotDeleteSelf, { status: 403, title: 'An account cannot delete itself' }),
  'incorrect-current-password': rule(e.IncorrectCurrentPassword, {
    status: 403,
    title: 'Current password is incorrect',
    issues: fieldIssue,
  }),
  'account-disabled': rule(e.AccountDisabled, { status: 403, title: 'Account disabled' }),
  'cannot-disable-self': rule(e.CannotDisableSelf, { status: 403, title: 'An account cannot disable itself' }),
  'reauthentication-required': rule(e.ReauthenticationRequired, { status: 403, title: 'Re-authentication required' }),
  'mfa-enrolment-required': rule(e.MfaEnrolmentRequired, { status: 403, title: 'Second factor enrolment required' }),
  'user-not-found': rule(e.UserNotFound, { status: 404, title: 'User not found' }),
  'session-not-found': rule(e.SessionNotFound, { status: 404, title: 'Session not found' }),
  'passkey-not-found': rule(e.PasskeyNotFound, { status: 404, title: 'Passkey not found' }),
  'username-taken': rule(e.UsernameTaken, { status: 409, title: 'Username already taken', issues: fieldIssue }),
  'email-taken': rule(e.EmailTaken, { status: 409, title: 'Email address already taken', issues: fieldIssue }),
  'last-admin': rule(e.LastAdmin, { status: 409, title: 'Last admin' }),
  'mfa-conflict': rule(e.MfaConflict, { status: 409, title: 'Second factor state conflict' }),
  'too-many-attempts': rule(e.TooManyAttempts, { status: 429, title: 'Too many attempts', retryAfter: retryAfterSeconds }),
  busy: rule(e.Busy, { status: 503, title: 'Service busy', retryAfter: retryAfterSeconds }),
};

/**
 * Failures the HTTP stack itself raises (body parser, router, ctx.throw), answered by status with our own
 * wording. `validation-failed` is also the code of a request that does not match its schema.
 */
export const httpRules = {
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'not-implemented': { status: 501, title: 'Method not implemented' },
} as const satisfies Record<string, { status: number; title: string }>;

export type HttpErrorCode = keyof typeof httpRules;
export type ErrorCode = DomainErrorCode | HttpErrorCode;

const byCode = new Map<string, Rule>(Object.entries(domainRules));

/** The answer to a domain error, or undefined for one missing from the table (a 500 on purpose). */
export function answerTo(err: DomainError): Answer | undefined {
  return byCode.get(err.code)?.answer(err);
}

const isHttpCode = (code: string): code is HttpErrorCode => Object.hasOwn(httpRules, code);

/** Every status an error with this code can be answered with. */
export function statusesOf(code: ErrorCode): readonly number[] {
  return isHttpCode(code) ? [httpRules[code].status] : domainRules[code].statuses;
}

/** The statuses of all the codes, each once, in order. */
export function statusesOfAll(codes: readonly ErrorCode[]): number[] {
  return [...new Set(codes.flatMap(statusesOf))].sort((a, b) => a - b);
}
