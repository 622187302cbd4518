import { startConsumer } from './consumer.js';
import type { BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { countOf } from './db.js';
import { loginCookie, pacedSummary, pair } from './load.js';
import { httpRequest, paced } from './paced.js';
import { type Service } from './processes.js';
import { progress } from './progress.js';
import { summarize } from './stats.js';

/** 4a. Commit-to-consumer latency of events at a steady rate, from role changes (no bcrypt). */
export async function measureEventLatency(ctx: BenchContext, service: Service, userIds: Map<number, string>): Promise<void> {
  const { cfg } = ctx;
  const admin = await loginCookie(service.base, 'bench-admin');
  // Each request toggles a user that has no change in flight, so every 2xx is one event (a change sent while the
  // previous one on the same user is still running could arrive first and be a no-op). More users than the
  // generator has sockets (64), so a free one is always there.
  const targets = Array.from({ length: 100 }, (_, k) => ({ id: userIds.get(101 + k)!, next: 0 }));
  const targetSet = new Set(targets.map((t) => t.id));
  const bytes = targets.map(({ id }) =>
    (['admin', 'user'] as const).map((role) =>
      httpRequest('PUT', `/users/${id}/role`, { cookie: admin, 'content-type': 'application/json' }, JSON.stringify({ role })),
    ),
  );
  const free = targets.map((_, k) => k);
  const busy = new Map<number, number>();
  const consumer = await startConsumer(ctx.kafka.brokers, ctx.kafka.topic);

  const run = async (rate: number, seconds: number) => {
    const since = Date.now();
    const seen = consumer.arrivals.length;
    const writtenBefore = await countOf(ctx.db, "select count(*) from outbox where type = 'user.role_changed'");
    progress(`PUT /users/{id}/role at ${rate}/s for ${seconds} s (${targets.length} users toggled) ...`);
    const cpu = cpuMeter(service.pid);
    const load = await paced({
      host: '127.0.0.1',
      port: service.port,
      rate,
      durationMs: seconds * 1000,
      request: (i) => {
        const k = free.shift() ?? i % targets.length;
        busy.set(i, k);
        const target = targets[k]!;
        const out = bytes[k]![target.next]!;
        target.next = target.next === 0 ? 1 : 0;
        return out;
      },
      onResponse: (i, status) => {
        const k = busy.get(i);
        busy.delete(i);
        if (k === undefined) return;
        // A refused change did not happen: the user keeps its role, so send the same change next time.
        if (status < 200 || status >= 300) targets[k]!.next = targets[k]!.next === 0 ? 1 : 0;
        if (!free.includes(k)) free.push(k);
      },
    });
    const cpuShare = cpu.stop();
    const ours = () =>
      consumer.arrivals.slice(seen).filter((a) => a.type === 'user.role_changed' && targetSet.has(a.subject) && a.time >= since - 1000);
    await consumer.until(() => ours().length >= load.ok, ctx.smoke ? 5000 : 15_000);
    const got = ours();
    const written = (await countOf(ctx.db, "select count(*) from outbox where type = 'user.role_changed'")) - writtenBefore;
    return {
      load,
      http: summarize(load.latencies),
      written,
      received: got.length,
      latency: summarize(got.map((a) => a.receivedAt - a.time)),
      cpu: cpuShare,
    };
  };

  try {
    const section = `4. Events (user.role_changed, in-process relay)`;
    const low = await run(Math.round(cfg.eventsRate / 4), Math.max(1, Math.round(cfg.eventsDurationS / 2)));
    const high = await run(cfg.eventsRate, cfg.eventsDurationS);
    ctx.raw.events = {
      [low.load.rate]: { ...low, load: pacedSummary(low.load) },
      [high.load.rate]: { ...high, load: pacedSummary(high.load) },
    };
    for (const r of [low, high]) {
      const at = `at ${r.load.rate}/s`;
      const judged = r === high;
      ctx.row(section, `${at}: role changes answered 2xx / events written / received`, `${r.load.ok} / ${r.written} / ${r.received}`);
      ctx.row(
        section,
        `${at}: role changes answered non-2xx`,
        r.load.completed - r.load.ok + r.load.errors,
        undefined,
        judged ? { op: '==', value: 0 } : undefined,
        JSON.stringify(r.load.statuses),
      );
      ctx.row(section, `${at}: PUT /users/{id}/role p50 / p99 (HTTP)`, pair(r.http.p50, r.http.p99));
      ctx.row(section, `${at}: commit-to-consumer p50`, r.latency.p50, 'ms');
      ctx.row(
        section,
        `${at}: commit-to-consumer p99`,
        r.latency.p99,
        'ms',
        judged ? { op: '<', value: 100 } : undefined,
        judged ? undefined : 'for comparison',
      );
      ctx.row(section, `${at}: CPU cores busy`, describeCpu(r.cpu));
    }
  } finally {
    await consumer.stop();
  }
}
