import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { problemDetails } from '../../../src/adapters/http/problem-details.js';
import { securityHeaders } from '../../../src/adapters/http/security-headers.js';
import { defaultUiDir, loadUi, uiRouter } from '../../../src/adapters/http/ui-router.js';

const INDEX = '<!doctype html><title>ui</title><script type="module" src="/ui/assets/index-abc123.js"></script>';

describe('uiRouter: the built web UI served from memory', () => {
  let root: string;
  let app: Koa;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'authsvc-ui-'));
    const dir = join(root, 'ui');
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(dir, 'robots.txt'), 'User-agent: *');
    await writeFile(join(dir, 'blob.bin'), 'x');
    await writeFile(join(root, 'secret.txt'), 'not for the web'); // beside the UI folder, never served
    app = new Koa();
    for (const m of securityHeaders()) app.use(m);
    app.use(problemDetails('https://errors.example'));
    app.use(uiRouter(loadUi(dir)));
    app.use(async (ctx, next) => {
      if (ctx.path === '/api-route') ctx.body = { ok: true };
      else await next();
    });
  });

  after(async () => rm(root, { recursive: true, force: true }));

  const get = (path: string) => request(app.callback()).get(path);

  it('serves index.html at /ui/, revalidated on each use, under the Content-Security-Policy', async () => {
    const res = await get('/ui/').expect(200);
    expect(res.text).to.equal(INDEX);
    expect(res.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(res.headers['cache-control']).to.equal('no-cache');
    expect(res.headers['content-security-policy']).to.include("script-src 'self'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
  });

  it('serves hashed assets with their content type, cached for a year', async () => {
    const js = await get('/ui/assets/index-abc123.js').expect(200);
    expect(js.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(js.text).to.equal('console.log(1)');
    const css = await get('/ui/assets/index-abc123.css').expect(200);
    expect(css.headers['content-type']).to.equal('text/css; charset=utf-8');
    const txt = await get('/ui/robots.txt').expect(200);
    expect(txt.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(txt.headers['cache-control']).to.equal('no-cache');
    const bin = await get('/ui/blob.bin').expect(200);
    expect(bin.headers['content-type']).to.equal('application/octet-stream');
  });

  it("answers the UI's own routes with index.html, so that a reload or a mailed link opens the page", async () => {
    for (const path of [
      '/ui/sign-in',
      '/ui/account/sessions',
      '/ui/admin/users/0190a8f0-0000-7000-8000-000000000000',
      '/ui/reset-password',
    ]) {
      const res = await get(path).expect(200);
      expect(res.text, path).to.equal(INDEX);
      expect(res.headers['cache-control']).to.equal('no-cache');
    }
  });

  it('answers a missing asset with a 404 problem, not with index.html', async () => {
    for (const path of ['/ui/assets/gone-123.js', '/ui/assets/nothing', '/ui/favicon.ico', '/ui/x/y.png']) {
      const res = await get(path).expect(404);
      expect(res.headers['content-type'], path).to.equal('application/problem+json');
      expect(res.headers['cache-control'], path).to.equal('no-store');
      expect(res.body).to.include({ status: 404, code: 'not-found' });
    }
  });

  it('never serves a file outside the UI folder, however the path is spelt', async () => {
    const attempts = [
      '/ui/../secret.txt',
      '/ui/%2e%2e/secret.txt',
      '/ui/%2E%2E%2Fsecret.txt',
      '/ui/assets/..%2f..%2fsecret.txt',
      '/ui/..%5csecret.txt',
      '/ui//secret.txt',
      '/ui/assets/%2e%2e/index.html',
    ];
    for (const path of attempts) {
      const res = await request(app.callback()).get(path);
      expect(res.text, path).not.to.include('not for the web');
      expect([200, 404], path).to.include(res.status);
      if (res.status === 200) expect(res.text, path).to.equal(INDEX); // a route-like path gets the page, nothing else
    }
  });

  it('redirects /ui to /ui/, answers HEAD, and leaves other methods and paths alone', async () => {
    const redirect = await get('/ui').expect(301);
    expect(redirect.headers.location).to.equal('/ui/');
    const head = await request(app.callback()).head('/ui/assets/index-abc123.js').expect(200);
    expect(head.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    await request(app.callback()).post('/ui/sign-in').expect(404);
    await get('/api-route').expect(200, { ok: true });
    await get('/uix').expect(404);
  });

  it('serves nothing (404) when the UI is not built', async () => {
    const bare = new Koa();
    bare.use(problemDetails('https://errors.example'));
    bare.use(uiRouter(loadUi(join(root, 'no-such-folder'))));
    const res = await request(bare.callback()).get('/ui/').expect(404);
    expect(res.body).to.include({ code: 'not-found' });
    expect(loadUi(join(root, 'no-such-folder')).size).to.equal(0);
  });

  it('finds dist/ui at the root of the package by default', () => {
    expect(defaultUiDir().endsWith(`${sep}dist${sep}ui`)).to.equal(true);
    expect(defaultUiDir()).not.to.include(`${sep}src${sep}`);
  });
});
