import { connect, type Socket } from 'node:net';

/**
 * A steady, open-loop load generator for the fixed-rate measurements.
 *
 * autocannon's `overallRate` is not steady: each connection sends its per-second quota back to back at the start
 * of every second and then pauses, so "100 req/s over 10 connections" is a burst of 10 concurrent requests every
 * second, and "half the saturated rate" runs at saturation for half of each second. Latency at a moderate rate
 * needs evenly spaced arrivals, so this sends request i at t0 + i/rate on a pool of keep-alive sockets (one
 * request in flight per socket, raw HTTP/1.1 bytes built once, a minimal response parser). Latency runs from the
 * moment the request is written to the end of the response; a request that finds no free socket (the service
 * fell behind) waits in a queue, and that wait, from the moment it was due, counts in its latency.
 */
export interface PacedOptions {
  host: string;
  port: number;
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** The raw request bytes for the i-th request (see `httpRequest`). */
  request: (i: number) => Buffer;
  /** Sockets opened before the run starts; more are opened on demand up to maxSockets. */
  warmSockets?: number;
  maxSockets?: number;
  /** Called for every complete response (2xx or not), with its receive time (Date.now()). */
  onResponse?: (i: number, status: number, body: Buffer) => void;
  /** Give up on responses still missing this long after the last request was due. */
  drainTimeoutMs?: number;
}

export interface PacedResult {
  rate: number;
  durationMs: number;
  sent: number;
  completed: number;
  ok: number;
  errors: number;
  /** Requests that waited for a free socket (the service fell behind the rate). */
  queued: number;
  statuses: Record<string, number>;
  /** Latencies of 2xx responses, ms. */
  latencies: number[];
  sockets: number;
}

export function httpRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  if (body !== undefined || method === 'POST' || method === 'PUT') lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]);
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

interface InFlight {
  i: number;
  start: number;
}

class Conn {
  socket: Socket;
  inFlight: InFlight | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private headerEnd = -1;
  private status = 0;
  private bodyLength = -1; // -1: chunked, -2: unknown yet
  ready: Promise<void>;
  dead = false;

  constructor(
    host: string,
    port: number,
    private readonly onDone: (conn: Conn, flight: InFlight, status: number, body: Buffer) => void,
    private readonly onDead: (conn: Conn, flight: InFlight | undefined) => void,
  ) {
    this.socket = connect({ host, port });
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const die = () => {
      if (this.dead) return;
      this.dead = true;
      const flight = this.inFlight;
      this.inFlight = undefined;
      this.onDead(this, flight);
    };
    this.socket.on('error', die);
    this.socket.on('close', die);
  }

  send(flight: InFlight, bytes: Buffer): void {
    this.inFlight = flight;
    this.chunks = [];
    this.size = 0;
    this.headerEnd = -1;
    this.bodyLength = -2;
    this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [buf];
    if (this.headerEnd < 0) {
      const at = buf.indexOf(HEADER_END);
      if (at < 0) return;
      this.headerEnd = at + 4;
      const head = buf.subarray(0, at).toString('latin1');
      this.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      this.bodyLength = length ? Number(length[1]) : /\r\ntransfer-encoding:\s*chunked/i.test(head) ? -1 : 0;
    }
    let complete: boolean;
    let body: Buffer;
    if (this.bodyLength >= 0) {
      complete = buf.length >= this.headerEnd + this.bodyLength;
      body = buf.subarray(this.headerEnd, this.headerEnd + this.bodyLength);
    } else {
      complete = buf.length >= this.headerEnd + 5 && buf.subarray(buf.length - 5).equals(CHUNKED_END);
      body = buf.subarray(this.headerEnd); // raw chunked framing; only the status matters for such responses
    }
    if (!complete || !this.inFlight) return;
    const flight = this.inFlight;
    this.inFlight = undefined;
    this.chunks = [];
    this.size = 0;
    this.onDone(this, flight, this.status, body);
  }

  close(): void {
    this.dead = true;
    this.socket.destroy();
  }
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const { host, port, rate, durationMs } = options;
  const maxSockets = options.maxSockets ?? 64;
  const total = Math.max(1, Math.floor((rate * durationMs) / 1000));
  const result: PacedResult = {
    rate,
    durationMs,
    sent: 0,
    completed: 0,
    ok: 0,
    errors: 0,
    queued: 0,
    statuses: {},
    latencies: [],
    sockets: 0,
  };
  const idle: Conn[] = [];
  const all = new Set<Conn>();
  const waiting: InFlight[] = [];
  let finishedSending = false;
  let resolveDrained: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (resolveDrained = resolve));

  const inFlightCount = () => [...all].filter((c) => c.inFlight).length;
  const checkDrained = () => {
    if (finishedSending && waiting.length === 0 && inFlightCount() === 0) resolveDrained();
  };

  const release = (conn: Conn) => {
    const next = waiting.shift();
    if (next) dispatchOn(conn, next);
    else idle.push(conn);
  };
  const onDone = (conn: Conn, flight: InFlight, status: number, body: Buffer) => {
    const end = performance.now();
    result.completed += 1;
    result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      result.ok += 1;
      result.latencies.push(end - flight.start);
    }
    options.onResponse?.(flight.i, status, body);
    release(conn);
    checkDrained();
  };
  const onDead = (conn: Conn, flight: InFlight | undefined) => {
    all.delete(conn);
    const at = idle.indexOf(conn);
    if (at >= 0) idle.splice(at, 1);
    if (flight) {
      result.errors += 1;
      result.completed += 1;
    }
    checkDrained();
  };
  const open = () => {
    const conn = new Conn(host, port, onDone, onDead);
    all.add(conn);
    result.sockets = Math.max(result.sockets, all.size);
    return conn;
  };
  const dispatchOn = (conn: Conn, flight: InFlight) => {
    result.sent += 1;
    conn.send(flight, options.request(flight.i));
  };
  const dispatch = (i: number, due: number) => {
    const conn = idle.pop();
    // Sent at once: latency from the write (the generator's own timer lateness is not the service's).
    if (conn) return dispatchOn(conn, { i, start: performance.now() });
    if (all.size < maxSockets) {
      const fresh = open();
      // A new connection's handshake is part of this request's latency.
      fresh.ready.then(
        () => dispatchOn(fresh, { i, start: due }),
        () => {
          result.errors += 1;
          checkDrained();
        },
      );
      return;
    }
    result.queued += 1;
    waiting.push({ i, start: due });
  };

  const warm = Array.from({ length: Math.min(maxSockets, options.warmSockets ?? 4) }, open);
  await Promise.all(warm.map((c) => c.ready));
  idle.push(...warm);

  const t0 = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      while (next < due) {
        dispatch(next, t0 + (next * 1000) / rate);
        next += 1;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + (next * 1000) / rate - performance.now()));
    };
    tick();
  });
  finishedSending = true;
  checkDrained();
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.drainTimeoutMs ?? 30_000).unref());
  if ((await Promise.race([drained, timeout])) === 'timeout') {
    result.errors += waiting.length + inFlightCount();
  }
  for (const conn of all) conn.close();
  return result;
}
