import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../../src/adapters/logging/logger.js';
import { parseEnv } from '../../../src/config/env.js';
import { startService, type Service } from '../../../src/config/service.js';

/** What a raw socket got back before the server closed it, and how long that took. */
function held(port: number, send: (socket: Socket) => void): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => send(socket));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // a reset is a close too
    socket.on('close', () => resolve({ ms: Date.now() - started, answer }));
    setTimeout(() => reject(new Error('the server kept the connection open')), 15_000).unref();
  });
}

describe('slow clients (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS)', function () {
  this.timeout(60_000);
  let service: Service;
  let dir: string;
  const lines: Array<{ level: number; msg: string; code?: string }> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authsvc-slow-'));
    const env = parseEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_FILE: join(dir, 'auth.db'),
      BCRYPT_COST: '4',
      BCRYPT_THREADS: '1',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'debug',
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    service = await startService(env, createLogger('debug', sink));
  });
  after(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const port = () => (service.server.address() as { port: number }).port;

  it('closes a connection whose headers trickle in, with 408, within seconds', async () => {
    const { ms, answer } = await held(port(), (socket) => {
      socket.write('POST /login HTTP/1.1\r\nHost: localhost\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
      socket.on('close', () => clearInterval(drip));
    });
    expect(ms).to.be.below(4_000);
    expect(answer).to.match(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body trickles in, within seconds', async () => {
    const { ms } = await held(port(), (socket) => {
      socket.write('POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      const drip = setInterval(() => socket.writable && socket.write(' '), 200);
      socket.on('close', () => clearInterval(drip));
    });
    expect(ms).to.be.below(5_000);
  });

  it('closes an idle keep-alive connection', async () => {
    const { ms, answer } = await held(port(), (socket) => socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    expect(answer).to.match(/^HTTP\/1\.1 200/);
    expect(ms).to.be.below(4_000);
  });

  it('logs the timeouts as client problems (info or debug), never as errors', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      lines.filter((l) => l.level >= 50),
      JSON.stringify(lines.filter((l) => l.level >= 50)),
    ).to.be.empty;
    const timeouts = lines.filter((l) => l.msg === 'client timed out: connection closed');
    expect(timeouts.length).to.be.at.least(1);
    for (const line of timeouts) expect(line.level).to.equal(30);
  });
});
