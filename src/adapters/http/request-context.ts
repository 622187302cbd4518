import type { Context } from 'koa';
import type { RequestContext } from '../../application/audit/ports.js';

/**
 * Where a request came from, for the audit trail: the client's address (X-Forwarded-For only as far as
 * TRUST_PROXY says), its User-Agent, and the request id every log line of the request carries.
 */
export function requestContext(ctx: Context): RequestContext {
  const userAgent = ctx.get('User-Agent');
  const requestId = ctx.state.reqId as string | undefined;
  return { client: ctx.ip, ...(userAgent && { userAgent }), ...(requestId && { requestId }) };
}
