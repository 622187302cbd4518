import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

export const UI_PREFIX = '/ui/';

interface UiFile {
  type: string;
  body: Buffer;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Vite puts a content hash in every name under assets/: such a file never changes, so it may be kept for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is checked on each use, so a new release shows at once. */
const REVALIDATE = 'no-cache';

/** The built UI: dist/ui under the package's root, found from this file in src/ (tsx) or in dist/src/ (built). */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'ui');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file of the built UI, read once, by the URL path it is served at. */
export function loadUi(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const path of filesUnder(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    files.set(UI_PREFIX + name, {
      type: TYPES[extname(name)] ?? 'application/octet-stream',
      body: readFileSync(path),
      cacheControl: name.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  return files;
}

/**
 * Serves the web UI at /ui/ from files read into memory at start: a request is answered from that map by its
 * exact path, never by joining it onto a directory, so no path can reach another file. A path that looks like a
 * file (a dot in its last segment, or under assets/) and is missing falls through to the usual 404 problem; any
 * other path under /ui/ is one of the UI's own routes and gets index.html, which routes it in the browser.
 */
export function uiRouter(files: Map<string, UiFile>): Middleware {
  const index = files.get(`${UI_PREFIX}index.html`);
  let toldNotBuilt = false;
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !(ctx.path === '/ui' || ctx.path.startsWith(UI_PREFIX))) {
      await next();
      return;
    }
    if (!index && !toldNotBuilt) {
      // Said once, on the first visit, so that a service run without the UI (tests, an API-only image) stays quiet.
      toldNotBuilt = true;
      (ctx.state.log as { warn(msg: string): void } | undefined)?.warn('the web UI is not built (npm run build): /ui/ answers 404');
    }
    if (ctx.path === '/ui') {
      ctx.status = 301;
      ctx.redirect(UI_PREFIX);
      return;
    }
    const last = ctx.path.slice(ctx.path.lastIndexOf('/') + 1);
    const looksLikeFile = last.includes('.') || ctx.path.startsWith(`${UI_PREFIX}assets/`);
    const file = files.get(ctx.path) ?? (looksLikeFile ? undefined : index);
    if (!file) {
      await next();
      return;
    }
    ctx.set('Cache-Control', file.cacheControl);
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
