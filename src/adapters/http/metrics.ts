import Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { metricsText, shareWithPrimary } from './cluster-metrics.js';
import type { ErrorCode } from './error-table.js';

export interface MetricSources {
  /** bcrypt hashes running or waiting. */
  bcryptDepth(): number;
  /** Outbox lag, measured on scrape. */
  outboxLag(): Promise<{ pending: number; oldestAgeMs: number | null }>;
  /** The mail queue, measured on scrape. */
  mailQueue?(): Promise<{ pending: number; parked: number }>;
  /** The in-process relay's counters, when it runs here. */
  relay?(): { published: number; errors: number; parked: number };
}

const SCRAPE_DEADLINE_MS = 2_000;

/** The login failures counted on their own, by their code in the error table. */
const LOGIN_FAILURES = [
  ['invalid-credentials', 'invalid_credentials'],
  ['account-disabled', 'disabled'],
  ['too-many-attempts', 'throttled'],
  ['busy', 'busy'],
] as const satisfies ReadonlyArray<readonly [ErrorCode, string]>;

export type LoginOutcome = (typeof LOGIN_FAILURES)[number][1] | 'success' | 'invalid_request' | 'error';

/**
 * The outcome of a `POST /login` by its status and the code of its problem: a success, one of the failures
 * above, any other refusal (`invalid_request`: the body, a cross-site request, ...), or a server error (`error`).
 */
export function loginOutcomeOf(status: number, problemCode: string | undefined): LoginOutcome {
  if (status >= 200 && status < 300) return 'success';
  const failure = LOGIN_FAILURES.find(([code]) => code === problemCode);
  if (failure) return failure[1];
  return status >= 500 ? 'error' : 'invalid_request';
}

/**
 * Prometheus metrics (prom-client): requests by route and status, latency histograms, login outcomes, bcrypt
 * queue depth, outbox lag, relay counters, and the default process metrics.
 */
export function metrics(sources: MetricSources): { middleware: Middleware; router: Router; registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  shareWithPrimary(registry);
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'auth_logins_total',
    help: 'Login attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'auth_bcrypt_pending',
    help: 'bcrypt hashes running or waiting',
    registers: [registry],
    collect() {
      this.set(sources.bcryptDepth());
    },
  });
  // Measured once per scrape, shared by the two gauges, with a deadline: an unreachable database must not take
  // every metric down with it.
  let measuring: Promise<Awaited<ReturnType<MetricSources['outboxLag']>> | undefined> | undefined;
  const lag = () =>
    (measuring ??= Promise.race([
      sources.outboxLag(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SCRAPE_DEADLINE_MS).unref()),
    ])
      .catch(() => undefined)
      .finally(() => {
        measuring = undefined;
      }));
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Outbox events not yet published',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      const now = await lag();
      if (now) this.set(now.pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when none)',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      const now = await lag();
      if (now) this.set((now.oldestAgeMs ?? 0) / 1000);
    },
  });
  const mail = (read: (c: { pending: number; parked: number }) => number) =>
    async function collect(this: Gauge) {
      const counts = await Promise.race([
        sources.mailQueue?.(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SCRAPE_DEADLINE_MS).unref()),
      ]).catch(() => undefined);
      if (counts) this.set(read(counts));
    };
  new Gauge({
    name: 'mail_pending_messages',
    help: 'Messages waiting to be sent (due or retrying)',
    registers: [registry],
    collect: mail((c) => c.pending),
  });
  new Gauge({
    name: 'mail_parked_messages',
    help: 'Messages parked after a permanent failure (see outbox-status)',
    registers: [registry],
    collect: mail((c) => c.parked),
  });
  const relayCounter = (name: string, help: string, read: (s: ReturnType<NonNullable<MetricSources['relay']>>) => number) => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = sources.relay ? read(sources.relay()) : 0;
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  };
  relayCounter('outbox_events_published_total', 'Events the relay in this process published', (s) => s.published);
  relayCounter('outbox_events_parked_total', 'Events the relay in this process parked as unpublishable', (s) => s.parked);
  relayCounter('outbox_relay_errors_total', 'Failed relay batches (broker or database errors) in this process', (s) => s.errors);

  const middleware: Middleware = async (ctx, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      // The route pattern, never the raw path: ids in paths would make one series per user.
      const labels = { method: ctx.method, route: (ctx._matchedRoute as string | undefined) ?? 'unmatched', status: String(ctx.status) };
      requests.inc(labels);
      end(labels);
      // A login refused before routing (the cross-site check, the second-factor gate) matched no route, but is one.
      const login = labels.route === '/login' || (labels.route === 'unmatched' && ctx.path === '/login');
      if (login && ctx.method === 'POST') logins.inc({ outcome: loginOutcomeOf(ctx.status, ctx.state.problemCode) });
    }
  };

  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await metricsText(registry);
  });
  return { middleware, router, registry };
}
