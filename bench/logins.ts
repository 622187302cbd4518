import { POOL, type BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { loginLoad, pair, ceiling } from './load.js';
import { type Service } from './processes.js';
import { progress } from './progress.js';
import { ratio, round } from './stats.js';

/** 1. Logins per second against the bcrypt ceiling at one cost. */
export async function measureLogins(ctx: BenchContext, service: Service, cost: number): Promise<void> {
  const { cfg } = ctx;
  const durationMs = cfg.durationS * 1000;
  const users = ctx.loginUsersByCost.get(cost)!;
  await loginLoad(service, users, cfg.warmS);
  progress(`bcrypt ceiling at cost ${cost} (${POOL} in flight, ${cfg.durationS} s) ...`);
  const before = await ceiling(cost, durationMs);
  progress(`POST /login at cost ${cost}, ${2 * POOL} connections, ${cfg.durationS} s ...`);
  const cpu = cpuMeter(service.pid);
  const logins = await loginLoad(service, users, cfg.durationS);
  const cpuShare = cpu.stop();
  const after = await ceiling(cost, durationMs);
  const ceil = (before.perSecond + after.perSecond) / 2;
  progress(`cost ${cost}: ${logins.rps} logins/s, ceiling ${round(before.perSecond, 1)} / ${round(after.perSecond, 1)} compares/s`);
  ctx.raw[`logins_cost${cost}`] = { logins, ceilingBefore: before, ceilingAfter: after, cpu: cpuShare };
  const section = `1. Logins vs bcrypt ceiling, cost ${cost}`;
  ctx.row(section, 'logins/s (POST /login, saturated)', logins.rps, '/s');
  ctx.row(section, 'bcrypt ceiling, compares/s (mean of before and after)', round(ceil, 1), '/s');
  ctx.row(section, 'ratio logins / ceiling', ratio(logins.rps, ceil), undefined, { op: '>=', value: 0.95 });
  ctx.row(section, 'login non-2xx responses', logins.non2xx + logins.errors, undefined, { op: '==', value: 0 });
  ctx.row(section, 'login latency p50 / p99 at saturation', pair(logins.latency.p50, logins.latency.p99));
  ctx.row(section, 'CPU cores busy during the logins', describeCpu(cpuShare));
}
