import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';

export const MAX_BODY = '100kb';

/**
 * For endpoints that take a JSON body: any other content type is 415 (forms and text/plain are how a
 * cross-site page posts without a preflight), a body over 100 kB is 413, malformed JSON is 400.
 * A request without a body reads as `{}`, so the schema names each missing field.
 */
export function jsonBody(): Middleware[] {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: MAX_BODY, strict: true });
  const requireJson: Middleware = async (ctx, next) => {
    if (ctx.is('application/json') === false) ctx.throw(415);
    await next();
  };
  return [requireJson, parse];
}
