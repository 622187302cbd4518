import { expect } from 'chai';
import request from 'supertest';
import { opsSuite, wired, type Wired } from './helpers.js';

describe('GET /docs', function () {
  const suite = opsSuite();
  let w: Wired;

  before(() => {
    w = wired(suite.db);
  });

  it('is HTML that loads Swagger UI from /docs/swagger-ui-bundle.js and /docs/init.js, with no inline script', async () => {
    const res = await request(w.app.callback())
      .get('/docs')
      .expect(200)
      .expect('Content-Type', /^text\/html/);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
    const sources = scripts.map(([, attributes]) => /\bsrc="([^"]+)"/.exec(attributes!)?.[1]);
    expect(sources).to.include.members(['/docs/swagger-ui-bundle.js', '/docs/init.js']);
    for (const [tag, attributes, body] of scripts) {
      expect(attributes, `${tag} has a src`).to.match(/\bsrc="/);
      expect(body!.trim(), `${tag} has no inline code`).to.equal('');
    }
    expect(res.text, 'inline event handlers').not.to.match(/<[^>]+\son[a-z]+\s*=/i);
  });

  it('runs under a Content-Security-Policy whose script-src is self only', async () => {
    const res = await request(w.app.callback()).get('/docs').expect(200);
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    const scriptSrc = directives['script-src'] ?? directives['default-src'];
    expect(scriptSrc, csp).to.deep.equal(["'self'"]);
  });

  it('serves the scripts it loads with JavaScript content types, init.js pointing at /openapi.json', async () => {
    for (const path of ['/docs/swagger-ui-bundle.js', '/docs/init.js']) {
      const res = await request(w.app.callback())
        .get(path)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => done(null, text));
        });
      expect(res.status, path).to.equal(200);
      expect(res.headers['content-type'], path).to.match(/^(application|text)\/javascript\b/);
      expect(String(res.body).length, path).to.be.greaterThan(0);
      if (path.endsWith('init.js')) expect(res.body).to.contain("'/openapi.json'");
    }
    await request(w.app.callback())
      .get('/docs/swagger-ui.css')
      .expect(200)
      .expect('Content-Type', /^text\/css/);
    await request(w.app.callback()).get('/docs/no-such-file.js').expect(404);
  });
});
