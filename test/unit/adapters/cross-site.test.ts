import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { refuseCrossSite } from '../../../src/adapters/http/cross-site.js';
import { Forbidden } from '../../../src/domain/errors.js';

const SERVICE = 'auth.example.com';
const FRONT_END = 'https://app.example.com';
const middleware = refuseCrossSite([FRONT_END]);

/**
 * Runs the middleware on a real Koa context (no server, no socket I/O), so ctx.get and ctx.origin behave as
 * they do in the service, and says whether the request went on or was refused.
 */
async function send(method: string, headers: Record<string, string> = {}, app = new Koa()): Promise<'passed' | Forbidden> {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = '/login';
  req.headers = { host: SERVICE, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  const ctx = app.createContext(req, new ServerResponse(req));
  let passed = false;
  try {
    await middleware(ctx, async () => {
      passed = true;
    });
  } catch (err) {
    if (err instanceof Forbidden && !passed) return err;
    throw err;
  }
  expect(passed, 'next() was called').to.equal(true);
  return 'passed';
}

describe('refuseCrossSite', () => {
  it('refuses a POST the browser marks cross-site', async () => {
    const refusal = await send('POST', { 'Sec-Fetch-Site': 'cross-site' });
    expect(refusal).to.be.instanceOf(Forbidden);
    expect((refusal as Forbidden).message).to.match(/cross-site/i);
  });

  it('refuses a cross-site POST that carries its Origin, as browsers always send it', async () => {
    expect(await send('POST', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })).to.be.instanceOf(Forbidden);
  });

  it('refuses a same-site POST unless its Origin is an allowed front end', async () => {
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-site' })).to.be.instanceOf(Forbidden);
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-site', Origin: 'https://blog.example.com' })).to.be.instanceOf(Forbidden);
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-site', Origin: FRONT_END })).to.equal('passed');
  });

  it('lets same-origin and user-initiated (none) requests through', async () => {
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-origin' })).to.equal('passed');
    expect(await send('POST', { 'Sec-Fetch-Site': 'none' })).to.equal('passed');
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-origin', Origin: `http://${SERVICE}` })).to.equal('passed');
  });

  it('lets a browser’s same-origin POST through behind a TLS proxy, whose hop to us is plain HTTP', async () => {
    // The browser sends Origin on every POST, with the public https scheme the service does not see.
    expect(await send('POST', { 'Sec-Fetch-Site': 'same-origin', Origin: `https://${SERVICE}` })).to.equal('passed');
  });

  it('refuses an Origin that is not allowed, when the browser sends no Sec-Fetch-Site', async () => {
    for (const origin of ['https://evil.example', 'null', `${FRONT_END}.evil.example`, 'http://app.example.com']) {
      expect(await send('DELETE', { Origin: origin }), origin).to.be.instanceOf(Forbidden);
    }
  });

  it('lets an allowed Origin through, whatever Sec-Fetch-Site says of it', async () => {
    expect(await send('POST', { Origin: FRONT_END })).to.equal('passed');
    expect(await send('PUT', { Origin: FRONT_END, 'Sec-Fetch-Site': 'cross-site' })).to.equal('passed');
  });

  it('never checks GET, HEAD or OPTIONS', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(await send(method, { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }), method).to.equal('passed');
    }
  });

  it('lets a client that sends neither header (curl, another service) through', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect(await send(method), method).to.equal('passed');
  });
});
