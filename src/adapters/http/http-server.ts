import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../logging/logger.js';

export interface HttpTimeouts {
  /** Time for a client to send its request headers; 0: no limit. */
  headersTimeoutMs: number;
  /** Time for a client to send its whole request; 0: no limit. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; 0: no limit. */
  keepAliveTimeoutMs: number;
}

/** Errors that say the client was slow, went away, or sent something that is not HTTP: the client's problem. */
const CLIENT_FAULTS = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Node's HTTP server for the app, with timeouts that suit an API rather than Node's defaults (5 minutes for a
 * request), so a client sending a byte every few seconds cannot hold a connection for minutes. Node checks them
 * every second here instead of every 30. A client that times out, resets or sends garbage is logged at info as a
 * client problem, not as a server error, and answered as Node would (408 or 400) when the socket still takes it.
 */
export interface HttpServer {
  server: Server;
  /**
   * Resolves once no request handler is running. A handler goes on after its client hangs up (a login waiting
   * for bcrypt, say): the server's close() does not wait for it, shutdown must, before closing what it uses.
   */
  handlersSettled: () => Promise<void>;
}

export function createHttpServer(app: Koa, timeouts: HttpTimeouts, log: Logger): HttpServer {
  const handle = app.callback(); // answers every error itself: its promise never rejects
  let running = 0;
  const waiters: Array<() => void> = [];
  const settle = () => {
    running -= 1;
    if (running > 0) return;
    for (const resolve of waiters.splice(0)) resolve();
  };
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      running += 1;
      void handle(req, res).finally(settle);
    },
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? 'unknown';
    const level = CLIENT_FAULTS.has(code) ? 'debug' : 'info';
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') log.info({ code, remoteAddress: socket.remoteAddress }, 'client timed out: connection closed');
    else log[level]({ code, remoteAddress: socket.remoteAddress }, 'client error: connection closed');
    if (socket.writable && socket.bytesWritten === 0) {
      const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  const handlersSettled = () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));
  return { server, handlersSettled };
}
