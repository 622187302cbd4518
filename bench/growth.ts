import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { countOf, insertSessions, insertUsers, username } from './db.js';
import { evenlySpaced, loginCookie, loginRequest, meRequest, pacedSummary, pair } from './load.js';
import { paced } from './paced.js';
import { type Service } from './processes.js';
import { progress } from './progress.js';
import { ratio, round } from './stats.js';

/** 5. Login and /users/me latency with few users, then after growing to growthUsers; then with many sessions. */
export async function measureGrowth(ctx: BenchContext, service: Service, userIds: Map<number, string>): Promise<void> {
  const { cfg } = ctx;
  const durationMs = cfg.durationS * 1000;
  const latencies = async (label: string, maxN: number) => {
    const names = evenlySpaced(cfg.samples, maxN).map(username);
    const cookies: string[] = [];
    for (const name of names) cookies.push(await loginCookie(service.base, name));
    const loginBytes = names.map(loginRequest);
    progress(`${label}: POST /login at ${cfg.loginRate}/s, ${cfg.durationS} s (${names.length} users spread over ${maxN}) ...`);
    const cpu = cpuMeter(service.pid);
    const login = pacedSummary(
      await paced({
        host: '127.0.0.1',
        port: service.port,
        rate: cfg.loginRate,
        durationMs,
        request: (i) => loginBytes[i % names.length]!,
      }),
    );
    const loginCpu = cpu.stop();
    const me = await meLatency(label, cookies);
    return { login, loginCpu, me, cookies };
  };
  const meLatency = async (label: string, cookies: string[]) => {
    const meBytes = cookies.map(meRequest);
    await paced({
      host: '127.0.0.1',
      port: service.port,
      rate: cfg.fixedRate,
      durationMs: cfg.warmS * 1000,
      request: (i) => meBytes[i % meBytes.length]!,
    });
    progress(`${label}: GET /users/me at ${cfg.fixedRate} req/s, ${cfg.durationS} s ...`);
    const cpu = cpuMeter(service.pid);
    const result = pacedSummary(
      await paced({ host: '127.0.0.1', port: service.port, rate: cfg.fixedRate, durationMs, request: (i) => meBytes[i % meBytes.length]! }),
    );
    return { ...result, cpu: cpu.stop() };
  };

  const usersBefore = await countOf(ctx.db, 'select count(*) from users');
  const before = await latencies(`${usersBefore} users`, cfg.baseUsers);

  progress(`inserting users ${username(cfg.baseUsers + 1)}..${username(cfg.growthUsers)} in rows of 5,000 ...`);
  const t0 = performance.now();
  let lastTenth = 0;
  const more = await insertUsers(
    ctx.db,
    { from: cfg.baseUsers + 1, to: cfg.growthUsers, hash: await ctx.hashFor(ctx.primaryCost) },
    100,
    (done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        progress(
          `  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} users inserted (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
      }
    },
  );
  const insertS = (performance.now() - t0) / 1000;
  await settleDatabase(ctx, 'after the users');
  const usersAfter = await countOf(ctx.db, 'select count(*) from users');
  const after = await latencies(`${usersAfter} users`, cfg.growthUsers);

  const sessionsBefore = await countOf(ctx.db, 'select count(*) from sessions');
  progress(`inserting ${cfg.sessions.toLocaleString('en-US')} live sessions ...`);
  const sessionUsers = [...userIds.values(), ...more.values()];
  await insertSessions(ctx.db, cfg.sessions, sessionUsers);
  await settleDatabase(ctx, 'after the sessions');
  const sessionsAfter = await countOf(ctx.db, 'select count(*) from sessions');
  // Fresh logins, as for the other two: a session's row is rewritten when its idle deadline has aged by a minute,
  // and reusing older cookies would put those writes in this measurement only.
  const freshCookies: string[] = [];
  for (const n of evenlySpaced(cfg.samples, cfg.growthUsers)) freshCookies.push(await loginCookie(service.base, username(n)));
  const withSessions = await meLatency(`${sessionsAfter} sessions`, freshCookies);

  ctx.raw.growth = {
    usersBefore,
    usersAfter,
    insertSeconds: round(insertS, 1),
    before,
    after,
    sessionsBefore,
    sessionsAfter,
    withSessions,
  };
  const section = `5. Growth (${usersBefore.toLocaleString('en-US')} → ${usersAfter.toLocaleString('en-US')} users; ${sessionsBefore.toLocaleString('en-US')} → ${sessionsAfter.toLocaleString('en-US')} sessions)`;
  ctx.row(
    section,
    `login p50 / p99 at ${cfg.loginRate}/s, ${usersBefore.toLocaleString('en-US')} users`,
    pair(before.login.p50, before.login.p99),
  );
  ctx.row(
    section,
    `login p50 / p99 at ${cfg.loginRate}/s, ${usersAfter.toLocaleString('en-US')} users`,
    pair(after.login.p50, after.login.p99),
  );
  ctx.row(section, 'ratio login p50 after / before', ratio(after.login.p50, before.login.p50), undefined, { op: '<=', value: 1.2 });
  ctx.row(
    section,
    'ratio login p99 after / before',
    ratio(after.login.p99, before.login.p99),
    undefined,
    { op: '<=', value: 1.2 },
    `${before.login.count} samples each`,
  );
  ctx.row(
    section,
    `/users/me p50 / p99 at ${cfg.fixedRate}/s, ${usersBefore.toLocaleString('en-US')} users`,
    pair(before.me.p50, before.me.p99),
  );
  ctx.row(
    section,
    `/users/me p50 / p99 at ${cfg.fixedRate}/s, ${usersAfter.toLocaleString('en-US')} users`,
    pair(after.me.p50, after.me.p99),
  );
  ctx.row(section, 'ratio /users/me p50 after / before', ratio(after.me.p50, before.me.p50), undefined, { op: '<=', value: 1.2 });
  ctx.row(section, 'ratio /users/me p99 after / before', ratio(after.me.p99, before.me.p99), undefined, { op: '<=', value: 1.2 });
  ctx.row(section, `/users/me p50 / p99 with ${sessionsAfter.toLocaleString('en-US')} sessions`, pair(withSessions.p50, withSessions.p99));
  ctx.row(section, 'ratio /users/me p50, many / few sessions', ratio(withSessions.p50, after.me.p50), undefined, { op: '<=', value: 1.2 });
  ctx.row(section, 'ratio /users/me p99, many / few sessions', ratio(withSessions.p99, after.me.p99), undefined, { op: '<=', value: 1.2 });
  ctx.row(section, `CPU cores busy, /users/me with ${usersBefore.toLocaleString('en-US')} users`, describeCpu(before.me.cpu));
  ctx.row(section, `CPU cores busy, /users/me with ${usersAfter.toLocaleString('en-US')} users`, describeCpu(after.me.cpu));
  ctx.row(section, `CPU cores busy, /users/me with ${sessionsAfter.toLocaleString('en-US')} sessions`, describeCpu(withSessions.cpu));
  ctx.row(section, `time to insert ${(cfg.growthUsers - cfg.baseUsers).toLocaleString('en-US')} users`, round(insertS, 1), 's');
}

/**
 * After a bulk insert the server flushes dirty pages for a while; measuring during that flush would charge it
 * to the table size. Waits (up to a limit) until the dirty pages fall under 1% of the pool or stop falling.
 */
async function settleDatabase(ctx: BenchContext, label: string): Promise<void> {
  const limitMs = ctx.smoke ? 2000 : 60_000;
  const t0 = performance.now();
  const status = async () => {
    const [rows] = (await ctx.db.raw(
      "show global status where Variable_name in ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')",
    )) as [Array<{ Variable_name: string; Value: string }>];
    const get = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0);
    return { dirty: get('Innodb_buffer_pool_pages_dirty'), total: get('Innodb_buffer_pool_pages_total') };
  };
  let last = await status();
  const first = last.dirty;
  while (performance.now() - t0 < limitMs && last.dirty > last.total / 100) {
    await sleep(2000);
    const now = await status();
    if (now.dirty >= last.dirty) break;
    last = now;
  }
  const waited = Math.round((performance.now() - t0) / 1000);
  progress(`${label}: dirty pages ${first} → ${last.dirty} of ${last.total} after ${waited} s`);
  const settles = (ctx.raw.settle ??= []) as unknown[];
  settles.push({ label, dirtyBefore: first, dirtyAfter: last.dirty, pages: last.total, waitedS: waited });
}
