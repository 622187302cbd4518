import type { Context } from 'koa';
import type { z } from 'zod';
import { InvalidRequest, MAX_ISSUES, type FieldIssue } from './problem-details.js';

/** More fields than any request of this API has: a body or query past this is refused before validation. */
export const MAX_FIELDS = 32;
/** Unknown keys named one by one; the rest are counted in one more issue. */
const NAMED_UNKNOWN_KEYS = 5;
/** A field name is quoted back at most this long: a client's 90 kB key is not echoed. */
const MAX_FIELD_NAME = 64;

const clip = (name: string): string => (name.length > MAX_FIELD_NAME ? `${name.slice(0, MAX_FIELD_NAME)}…` : name);
const joined = (...parts: Array<string | undefined>): string => parts.filter(Boolean).join('.');

/**
 * The issues of a failed parse, in time linear in their number and at most MAX_ISSUES of them. zod reports all
 * the unknown keys of an object in one issue: a few are named, each once, and the rest only counted.
 */
function issuesOf(error: z.ZodError, prefix?: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (out.length >= MAX_ISSUES) break;
    const path = joined(prefix, ...issue.path.map((p) => clip(String(p))));
    if (issue.code !== 'unrecognized_keys') {
      out.push({ field: path || 'body', reason: issue.message });
      continue;
    }
    for (const key of issue.keys.slice(0, NAMED_UNKNOWN_KEYS)) out.push({ field: joined(path, clip(key)), reason: 'is not a known field' });
    const more = issue.keys.length - NAMED_UNKNOWN_KEYS;
    if (more > 0) out.push({ field: path || 'body', reason: `has ${more} more unknown fields` });
  }
  return out.slice(0, MAX_ISSUES);
}

/** Refuses an object with more keys than any request has, without walking them all. */
function assertFewFields(value: unknown, field: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  let count = 0;
  for (const key in value) {
    if (Object.hasOwn(value, key) && ++count > MAX_FIELDS) {
      throw new InvalidRequest([{ field, reason: `has more than ${MAX_FIELDS} fields` }]);
    }
  }
}

/** The JSON body, checked against its schema: unknown fields, wrong types and missing fields are 400s. */
export function bodyOf<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  const body = (ctx.request as { body?: unknown }).body ?? {};
  assertFewFields(body, 'body');
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidRequest(issuesOf(result.error));
  return result.data;
}

/** The query string, checked against its schema; more parameters than MAX_FIELDS are refused unparsed. */
export function queryOf<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  const raw = ctx.querystring;
  let params = raw ? 1 : 0;
  for (let i = raw.indexOf('&'); i !== -1 && params <= MAX_FIELDS; i = raw.indexOf('&', i + 1)) params += 1;
  if (params > MAX_FIELDS) throw new InvalidRequest([{ field: 'query', reason: `has more than ${MAX_FIELDS} parameters` }]);
  const result = schema.safeParse(ctx.query);
  if (!result.success) throw new InvalidRequest(issuesOf(result.error, 'query'));
  return result.data;
}
