import type { Middleware } from 'koa';
import { DomainError } from '../../domain/errors.js';
import { answerTo, domainRules, httpRules, type FieldIssue, type HttpErrorCode } from './error-table.js';

export type { FieldIssue } from './error-table.js';

declare module 'koa' {
  interface DefaultState {
    /** The `code` of the problem this request was answered with (`internal` for a 500), for the metrics. */
    problemCode?: string;
  }
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

/** Errors thrown by Koa's own stack (body parser, ctx.throw) that are safe to answer, by status. */
const httpCodeByStatus: Record<number, HttpErrorCode> = {
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

function problemFor(err: unknown, typeBase: string): { problem: Problem; retryAfter?: number } | undefined {
  const problem = (code: string, status: number, title: string, detail: string, errors?: FieldIssue[]): Problem => ({
    type: `${typeBase}/${code}`,
    title,
    status,
    detail,
    code,
    ...(errors && { errors }),
  });
  if (err instanceof InvalidRequest) {
    const { status, title } = domainRules['validation-failed'];
    return { problem: problem(err.code, status, title, err.message, err.issues) };
  }
  if (err instanceof DomainError) {
    const answer = answerTo(err);
    if (!answer) return undefined; // a DomainError missing from the table is a 500 on purpose
    return { problem: problem(err.code, answer.status, answer.title, err.message, answer.issues), retryAfter: answer.retryAfter };
  }
  // Client errors raised by Koa's stack (body parser, router, ctx.throw) are answered by status with our own
  // wording: their messages may quote the request body, so they are never echoed.
  const { status } = (err ?? {}) as { status?: number };
  const code = status !== undefined ? httpCodeByStatus[status] : undefined;
  if (!code) return undefined;
  const { title } = httpRules[code];
  const detail = code === 'malformed-json' ? 'The request body is not valid JSON' : title;
  const fields = code === 'malformed-json' || code === 'payload-too-large' ? [{ field: 'body', reason: detail }] : undefined;
  return { problem: problem(code, httpRules[code].status, title, detail, fields) };
}

/** Every error leaves as RFC 9457 application/problem+json; a 500 never shows internals. */
export function problemDetails(typeBase: string): Middleware {
  return async (ctx, next) => {
    let problem: Problem | undefined;
    try {
      await next();
      // Nothing answered: an unknown route (404), or a known one with the wrong method (405, Allow already set).
      if (ctx.body != null || !UNANSWERED.has(ctx.status)) return;
      problem = problemFor({ status: ctx.status }, typeBase)!.problem;
    } catch (err) {
      const answer = problemFor(err, typeBase);
      problem = answer?.problem;
      if (!answer) ctx.app.emit('error', err, ctx); // logged with its stack by the app's error listener
      if (answer?.retryAfter !== undefined) ctx.set('Retry-After', String(answer.retryAfter));
    }
    ctx.state.problemCode = problem?.code ?? 'internal';
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
