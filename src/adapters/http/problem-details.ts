import type { Middleware } from 'koa';
import { DomainError } from '../../domain/errors.js';

/** A field the client got wrong, named as a JSON path into the request (`password`, `query.limit`, `body`). */
export interface FieldIssue {
  field: string;
  reason: string;
}

/** At most this many issues in a problem's `errors`, and in its `detail`. */
export const MAX_ISSUES = 20;
/** A problem's `detail` is cut at this length. */
const MAX_DETAIL = 1_000;

/** The request did not match its schema; raised at the edge before any use case runs. */
export class InvalidRequest extends Error {
  readonly code = 'validation-failed';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    const kept = issues.slice(0, MAX_ISSUES);
    const detail = kept.map((i) => `${i.field}: ${i.reason}`).join('; ');
    super(detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail);
    this.issues = kept;
    this.name = 'InvalidRequest';
  }
}

// This table is the whole HTTP error contract: a stable `code` per failure, its status and title.
const byCode: Record<string, { status: number; title: string }> = {
  'validation-failed': { status: 400, title: 'Invalid request' },
  'invalid-token': { status: 400, title: 'Invalid or expired token' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'not-authenticated': { status: 401, title: 'Not authenticated' },
  'invalid-credentials': { status: 401, title: 'Invalid username or password' },
  forbidden: { status: 403, title: 'Forbidden' },
  'cannot-delete-self': { status: 403, title: 'An account cannot delete itself' },
  'incorrect-current-password': { status: 403, title: 'Current password is incorrect' },
  'account-disabled': { status: 403, title: 'Account disabled' },
  'cannot-disable-self': { status: 403, title: 'An account cannot disable itself' },
  'user-not-found': { status: 404, title: 'User not found' },
  'not-found': { status: 404, title: 'Not found' },
  'session-not-found': { status: 404, title: 'Session not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'username-taken': { status: 409, title: 'Username already taken' },
  'email-taken': { status: 409, title: 'Email address already taken' },
  'last-admin': { status: 409, title: 'Last admin' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'too-many-attempts': { status: 429, title: 'Too many attempts' },
  'mfa-required': { status: 401, title: 'Second factor required' },
  'invalid-code': { status: 401, title: 'Invalid code' },
  // The same code when an enrolment's first code is wrong: an input error, the session is fine.
  'invalid-code@confirmation': { status: 400, title: 'Invalid code' },
  'reauthentication-required': { status: 403, title: 'Re-authentication required' },
  'mfa-enrolment-required': { status: 403, title: 'Second factor enrolment required' },
  'passkey-not-found': { status: 404, title: 'Passkey not found' },
  'passkey-rejected': { status: 400, title: 'Passkey rejected' },
  'mfa-conflict': { status: 409, title: 'Second factor state conflict' },
  'not-implemented': { status: 501, title: 'Method not implemented' },
  busy: { status: 503, title: 'Service busy' },
};

/** Errors thrown by Koa's own stack (body parser, ctx.throw) that are safe to answer, by status. */
const httpCodeByStatus: Record<number, string> = {
  400: 'malformed-json',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  501: 'not-implemented',
};

const UNANSWERED = new Set([404, 405, 501]);

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldIssue[];
}

function problemFor(err: unknown, typeBase: string): Problem | undefined {
  const answer = (code: string, detail: string, errors?: FieldIssue[], variant?: string): Problem => {
    const { status, title } = byCode[`${code}@${variant}`] ?? byCode[code]!;
    return { type: `${typeBase}/${code}`, title, status, detail, code, ...(errors && { errors }) };
  };
  if (err instanceof InvalidRequest) return answer(err.code, err.message, err.issues);
  if (err instanceof DomainError) {
    if (!byCode[err.code]) return undefined; // a DomainError missing from the table is a 500 on purpose
    const field = (err as { field?: string }).field;
    const reason = (err as { reason?: string }).reason ?? err.message;
    return answer(err.code, err.message, field ? [{ field, reason }] : undefined, (err as { variant?: string }).variant);
  }
  // Client errors raised by Koa's stack (body parser, router, ctx.throw) are answered by status with our own
  // wording: their messages may quote the request body, so they are never echoed.
  const { status } = (err ?? {}) as { status?: number };
  const code = status !== undefined ? httpCodeByStatus[status] : undefined;
  if (!code) return undefined;
  const detail = code === 'malformed-json' ? 'The request body is not valid JSON' : byCode[code]!.title;
  return answer(code, detail, code === 'malformed-json' || code === 'payload-too-large' ? [{ field: 'body', reason: detail }] : undefined);
}

/** Every error leaves as RFC 9457 application/problem+json; a 500 never shows internals. */
export function problemDetails(typeBase: string): Middleware {
  return async (ctx, next) => {
    let problem: Problem | undefined;
    try {
      await next();
      // Nothing answered: an unknown route (404), or a known one with the wrong method (405, Allow already set).
      if (ctx.body != null || !UNANSWERED.has(ctx.status)) return;
      problem = problemFor({ status: ctx.status }, typeBase)!;
    } catch (err) {
      problem = problemFor(err, typeBase);
      if (!problem) ctx.app.emit('error', err, ctx); // logged with its stack by the app's error listener
      const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (problem && retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
    }
    ctx.status = problem?.status ?? 500;
    ctx.type = 'application/problem+json';
    ctx.body = problem ?? {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'internal',
    };
  };
}
