import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// No inline script: the page must run under helmet's Content-Security-Policy (script-src 'self').
const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>authsvc API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>`;
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });`;

/**
 * GET /openapi.json (the document) and GET /docs (Swagger UI over it, served from swagger-ui-dist). Only operators
 * and integrators read these: the document is built, and the 1.5 MB of Swagger UI read, on first request.
 */
export function docsRouter(version: string): Router {
  const router = new Router();
  let document: Promise<unknown> | undefined;
  const file = (name: string) => () => readFileSync(join(swaggerUiDir, name));
  // A Map, not a plain object: `constructor`, `__proto__` or `toString` must not find an inherited property.
  const assets = new Map<string, { type: string; load: () => Buffer | string; body?: Buffer | string }>([
    ['swagger-ui.css', { type: 'text/css', load: file('swagger-ui.css') }],
    ['swagger-ui-bundle.js', { type: 'application/javascript', load: file('swagger-ui-bundle.js') }],
    ['init.js', { type: 'application/javascript', load: () => init }],
  ]);
  router.get('/openapi.json', async (ctx) => {
    document ??= import('./openapi.js').then((m) => m.openApiDocument(version));
    ctx.body = await document;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = page;
  });
  router.get('/docs/:asset', (ctx) => {
    const asset = assets.get(ctx.params.asset!);
    if (!asset) return; // falls through to 404
    ctx.type = asset.type;
    ctx.body = asset.body ??= asset.load();
  });
  return router;
}
