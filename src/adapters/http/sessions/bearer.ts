import type { Context } from 'koa';

/**
 * What an `Authorization: Bearer` header carries: a session token (the opaque secret of a session made with
 * `"session": "token"`) or an access token (a signed JWT, told apart by its dots). A request with such a header
 * is authenticated by it alone: any cookie it also carries is ignored.
 */
export type Bearer = { kind: 'session'; value: string } | { kind: 'access'; value: string };

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const ACCESS_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function bearerOf(ctx: Context): Bearer | undefined {
  const header = ctx.get('Authorization');
  if (!header) return undefined;
  const value = BEARER.exec(header)?.[1];
  if (value === undefined) return undefined;
  return ACCESS_TOKEN.test(value) ? { kind: 'access', value } : { kind: 'session', value };
}

/** Whether the request names a bearer credential (well-formed or not): such requests carry no ambient authority. */
export function hasBearer(ctx: Context): boolean {
  return /^Bearer\s/i.test(ctx.get('Authorization'));
}
