import Router from '@koa/router';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, unknown>;
}

/**
 * GET /health/live: the process answers. GET /health/ready: whether to send traffic here (503 when the
 * database is unreachable, migrations are pending, or the service is shutting down), with the relay's state.
 */
export function healthRouter(readiness: () => Promise<ReadinessReport>): Router {
  const router = new Router({ prefix: '/health' });
  router.get('/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    const report = await readiness();
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.ready ? 'ready' : 'not-ready', ...report.checks };
  });
  return router;
}
