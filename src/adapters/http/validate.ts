import type { Context } from 'koa';
import type { z } from 'zod';
import { InvalidRequest, type FieldIssue } from './problem-details.js';

function issuesOf(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    // An unknown key is reported on its parent; name the key itself so the client sees which one.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({ field: [path, key].filter(Boolean).join('.') || 'body', reason: issue.message }));
  }).flat();
}

/** The JSON body, checked against its schema: unknown fields, wrong types and missing fields are 400s. */
export function bodyOf<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  const result = schema.safeParse((ctx.request as { body?: unknown }).body ?? {});
  if (!result.success) throw new InvalidRequest(issuesOf(result.error));
  return result.data;
}

export function queryOf<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(ctx.query);
  if (!result.success) throw new InvalidRequest(issuesOf(result.error, 'query'));
  return result.data;
}
