import { cannon } from './cannon.js';
import type { BenchContext } from './context.js';
import { username } from './db.js';
import { loginCookie } from './load.js';
import { sampleRss, type Service } from './processes.js';
import { round } from './stats.js';

/** 6 without the read phase: memory under a short read load. */
export async function measureFootprintLoad(ctx: BenchContext, service: Service): Promise<void> {
  const { cfg } = ctx;
  const cookie = await loginCookie(service.base, username(1));
  const rss = sampleRss(service.pid);
  await cannon({ url: `${service.base}/users/me`, connections: cfg.readConnections, duration: cfg.durationS, headers: { cookie } });
  const max = rss.stop();
  if (max !== undefined) ctx.row('6. Footprint', 'RSS under read load (max while saturated)', round(max / 2 ** 20, 1), 'MiB');
}
