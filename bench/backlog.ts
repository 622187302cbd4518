import { setTimeout as sleep } from 'node:timers/promises';
import { startConsumer } from './consumer.js';
import type { BenchContext } from './context.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { countOf, insertOutbox, pendingOutbox } from './db.js';
import { startLogged } from './processes.js';
import { progress } from './progress.js';
import { round } from './stats.js';

/** 4b. A backlog of outbox rows published by a standalone relay. */
export async function measureBacklog(ctx: BenchContext): Promise<void> {
  const { cfg } = ctx;
  const pendingBefore = await pendingOutbox(ctx.db);
  if (pendingBefore > 0) throw new Error(`${pendingBefore} outbox rows were still pending before the backlog run`);
  progress(`inserting ${cfg.backlog.toLocaleString('en-US')} pending user.logged_in outbox rows ...`);
  const ids = await insertOutbox(ctx.db, cfg.backlog);
  const consumer = await startConsumer(ctx.kafka.brokers, ctx.kafka.topic);
  try {
    progress('starting the standalone relay (node dist/src/config/relay-main.js) ...');
    const t0 = performance.now();
    ctx.checkDist('start of the relay');
    const relay = startLogged('relay', ctx.logDir, ['dist/src/config/relay-main.js'], ctx.serviceEnv(ctx.primaryCost));
    const cpu = cpuMeter(relay.pid);
    ctx.cleanup('relay', () => relay.stop());
    let first: { t: number; remaining: number } | undefined;
    let doneAt: number | undefined;
    const deadline = Date.now() + (ctx.smoke ? 60_000 : 600_000);
    while (doneAt === undefined) {
      const remaining = await pendingOutbox(ctx.db);
      const now = performance.now();
      if (remaining < cfg.backlog && !first) first = { t: now, remaining };
      if (remaining === 0) doneAt = now;
      else if (relay.child.exitCode !== null) throw new Error(`the relay exited ${relay.child.exitCode}:\n${relay.tail()}`);
      else if (Date.now() > deadline) throw new Error(`${remaining} rows still pending at the deadline:\n${relay.tail()}`);
      else await sleep(100);
    }
    const cpuShare = cpu.stop();
    const consumedAll = await consumer.until((a) => a.filter((x) => ids.has(x.id)).length >= cfg.backlog, ctx.smoke ? 10_000 : 120_000);
    const ours = consumer.arrivals.filter((a) => ids.has(a.id));
    const uniq = new Set(ours.map((a) => a.id)).size;
    const parked = await countOf(ctx.db, 'select count(*) from outbox where parked_at is not null');
    await relay.stop();
    const sinceSpawnS = (doneAt - t0) / 1000;
    // The rows still pending at the first sign of progress were all published between then and the end.
    const steady = first && doneAt > first.t ? first.remaining / ((doneAt - first.t) / 1000) : cfg.backlog / sinceSpawnS;
    const recv = ours.map((a) => a.receivedAt);
    const consumeSpanS = recv.length > 1 ? (Math.max(...recv) - Math.min(...recv)) / 1000 : Number.NaN;
    ctx.raw.backlog = {
      rows: cfg.backlog,
      sinceSpawnS,
      firstProgress: first && { afterS: (first.t - t0) / 1000, remaining: first.remaining },
      steady,
      consumed: ours.length,
      unique: uniq,
      consumeSpanS,
      parked,
      cpu: cpuShare,
    };
    const section = `4. Outbox backlog (${cfg.backlog.toLocaleString('en-US')} rows, standalone relay)`;
    ctx.row(section, 'published events/s (from the first batch to the last)', round(steady, 0), '/s', { op: '>=', value: 5000 });
    ctx.row(section, 'spawn of relay → all published', round(sinceSpawnS, 2), 's');
    ctx.row(section, 'consumed (unique) / inserted', `${uniq} / ${cfg.backlog}${consumedAll ? '' : ' (timed out)'}`);
    ctx.row(section, 'consumer events/s (first to last arrival)', round((uniq - 1) / consumeSpanS, 0), '/s');
    ctx.row(section, 'rows parked', parked, undefined, { op: '==', value: 0 });
    ctx.row(section, 'CPU cores busy (service = the relay)', describeCpu(cpuShare));
  } finally {
    await consumer.stop();
  }
}
