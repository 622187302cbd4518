import { cannon, type CannonResult } from './cannon.js';
import type { BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { username } from './db.js';
import { evenlySpaced, loginCookie, meRequest, pacedSummary, pair } from './load.js';
import { paced } from './paced.js';
import { sampleRss, startReporting, stopChild, type Service } from './processes.js';
import { progress } from './progress.js';
import { ratio, round } from './stats.js';

/** 2 and 6. Authenticated reads at saturation and at half that rate; a bare Koa route; memory under load. */
export async function measureReads(ctx: BenchContext, service: Service): Promise<void> {
  const { cfg } = ctx;
  const durationMs = cfg.durationS * 1000;
  const cookie = await loginCookie(service.base, username(1));
  const me = { url: `${service.base}/users/me`, connections: cfg.readConnections, headers: { cookie } };
  await cannon({ ...me, duration: cfg.warmS });
  progress(`GET /users/me saturated, ${cfg.readConnections} connections, ${cfg.durationS} s ...`);
  const rss = sampleRss(service.pid);
  const cpu = cpuMeter(service.pid);
  const saturated = await cannon({ ...me, duration: cfg.durationS });
  const cpuShare = cpu.stop();
  const rssUnderLoad = rss.stop();
  if (saturated.ok === 0) throw new Error(`GET /users/me answered no 2xx: ${JSON.stringify(saturated.statuses)}`);
  const half = Math.max(1, Math.round(saturated.rps / 2));
  progress(`${saturated.rps} req/s saturated; now paced at ${half} req/s ...`);
  const halfRate = await paced({
    host: '127.0.0.1',
    port: service.port,
    rate: half,
    durationMs,
    request: () => meRequest(cookie),
    warmSockets: 16,
  });
  const halfSummary = pacedSummary(halfRate);
  // For comparison only: autocannon's overallRate sends each connection's quota in a burst every second.
  const bursty = await cannon({ ...me, overallRate: half, duration: cfg.durationS });

  // The same with one session per connection: every request above updates the one session row (rolling expiry),
  // so they queue on its row lock; this shows how much of the limit is that.
  const cookies: string[] = [];
  for (const n of evenlySpaced(cfg.readConnections, cfg.baseUsers)) cookies.push(await loginCookie(service.base, username(n)));
  let next = 0;
  const manySessions = await cannon({
    url: `${service.base}/users/me`,
    connections: cfg.readConnections,
    duration: cfg.durationS,
    setupClient: (client) => client.setHeaders({ cookie: cookies[next++ % cookies.length]! }),
  });
  progress(`${manySessions.rps} req/s with ${cookies.length} sessions`);

  progress('bare Koa child ...');
  const bare = await startReporting(['--import', 'tsx', 'bench/bare-koa.ts'], { PATH: process.env.PATH, NODE_ENV: 'production' });
  ctx.cleanup('bare-koa', () => stopChild(bare.child));
  let bareSaturated: CannonResult;
  try {
    const url = `http://127.0.0.1:${String(bare.first.port)}/`;
    await cannon({ url, connections: cfg.readConnections, duration: cfg.warmS });
    bareSaturated = await cannon({ url, connections: cfg.readConnections, duration: cfg.durationS });
  } finally {
    await stopChild(bare.child);
  }
  progress(`bare Koa ${bareSaturated.rps} req/s`);
  ctx.raw.reads = {
    cpu: cpuShare,
    saturated,
    halfRate: { rate: half, ...halfSummary },
    autocannonOverallRate: bursty,
    manySessions,
    bare: bareSaturated,
  };

  const section = '2. Authenticated reads (GET /users/me, cookie reused)';
  ctx.row(section, `rps saturated (${cfg.readConnections} connections)`, saturated.rps, '/s');
  ctx.row(section, 'p50 saturated', saturated.latency.p50, 'ms');
  ctx.row(section, 'p99 saturated', saturated.latency.p99, 'ms');
  ctx.row(section, 'CPU cores busy while saturated', describeCpu(cpuShare));
  // Before the service used every core it served 1,930 of these a second on its one core: half the CPU per read is
  // twice that per service CPU-second.
  if (cpuShare && cpuShare.service > 0)
    ctx.row(
      section,
      'requests per service CPU-second (rps saturated ÷ service cores)',
      Math.round(saturated.rps / cpuShare.service),
      '/s',
      {
        op: '>=',
        value: 2 * 1_930,
      },
    );
  ctx.row(
    section,
    'non-2xx responses (saturated + paced)',
    saturated.non2xx + saturated.errors + (halfSummary.count === halfRate.sent ? 0 : halfRate.sent - halfSummary.count),
  );
  ctx.row(section, `p50 at half rate (${half} req/s, paced)`, halfSummary.p50, 'ms');
  ctx.row(section, `p99 at half rate (${half} req/s, paced)`, halfSummary.p99, 'ms', { op: '<', value: 10 });
  ctx.row(section, `p99 at half rate, autocannon overallRate (bursty)`, bursty.latency.p99, 'ms', undefined, 'for comparison');
  ctx.row(section, `rps saturated, ${cookies.length} sessions (one per connection)`, manySessions.rps, '/s', undefined, 'for comparison');
  ctx.row(section, `p50 / p99 saturated, ${cookies.length} sessions`, pair(manySessions.latency.p50, manySessions.latency.p99));
  ctx.row(section, `bare Koa {ok:true} rps (${cfg.readConnections} connections)`, bareSaturated.rps, '/s');
  ctx.row(section, 'ratio reads / bare Koa rps', ratio(saturated.rps, bareSaturated.rps));
  if (rssUnderLoad !== undefined)
    ctx.row('6. Footprint', 'RSS under read load (max while saturated), largest process', round(rssUnderLoad / 2 ** 20, 1), 'MiB');
}
