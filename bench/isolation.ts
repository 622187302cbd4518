import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { username } from './db.js';
import { loginCookie, loginLoad, meRequest, pacedSummary, pair } from './load.js';
import { paced } from './paced.js';
import { type Service } from './processes.js';
import { progress } from './progress.js';
import { ratio, summarize } from './stats.js';

/**
 * 3. /users/me p99 at a fixed rate, alone and while logins saturate the thread pool. Alone is measured before and
 * after (half the duration each, latencies pooled), so slow drifts in the machine's load hit both sides alike.
 */
export async function measureIsolation(ctx: BenchContext, service: Service): Promise<void> {
  const { cfg } = ctx;
  const durationMs = cfg.durationS * 1000;
  const cookie = await loginCookie(service.base, username(2));
  const run = (ms: number) =>
    paced({ host: '127.0.0.1', port: service.port, rate: cfg.fixedRate, durationMs: ms, request: () => meRequest(cookie) });
  progress(`GET /users/me at ${cfg.fixedRate} req/s, no other load ...`);
  const alone1 = await run(durationMs / 2);
  progress(`GET /users/me at ${cfg.fixedRate} req/s while POST /login saturates ...`);
  const lead = ctx.smoke ? 0.5 : 2;
  const logins = loginLoad(service, ctx.loginUsersByCost.get(ctx.primaryCost)!, cfg.durationS + 2 * lead);
  await sleep(lead * 1000);
  const cpu = cpuMeter(service.pid);
  const loadedRun = await run(durationMs);
  const cpuShare = cpu.stop();
  const loginResult = await logins;
  progress(`GET /users/me at ${cfg.fixedRate} req/s, no other load, again ...`);
  const alone2 = await run(durationMs / 2);
  const unloaded = { ...summarize([...alone1.latencies, ...alone2.latencies]), first: pacedSummary(alone1), second: pacedSummary(alone2) };
  const loaded = pacedSummary(loadedRun);
  ctx.raw.isolation = { unloaded, loaded, logins: loginResult, cpu: cpuShare };
  const section = `3. Isolation (GET /users/me at ${cfg.fixedRate} req/s)`;
  ctx.row(section, 'p99 without login load (before and after)', unloaded.p99, 'ms');
  ctx.row(section, `p99 while POST /login saturates (${loginResult.rps} logins/s)`, loaded.p99, 'ms');
  ctx.row(section, 'p50 without / with login load', pair(unloaded.p50, loaded.p50));
  ctx.row(section, 'ratio p99 loaded / unloaded', ratio(loaded.p99, unloaded.p99), undefined, { op: '<', value: 3 });
  ctx.row(section, 'CPU cores busy with login load', describeCpu(cpuShare));
}
