import { readdirSync, readFileSync } from 'node:fs';
import { childPids } from './processes.js';
import { descendants } from './process-tree.js';

/**
 * Who used the CPU during a measurement, in cores (Linux /proc): the service and the bench's other children,
 * the bench process itself (the load generator), the database server, and everything else on the machine. The
 * last one is the noise of a shared machine; the others show where a saturated run's time went.
 */
export interface CpuShare {
  seconds: number;
  service: number;
  otherChildren: number;
  bench: number;
  database: number;
  others: number;
  idle: number;
}

const HZ = 100; // USER_HZ, 100 on every Linux that matters here

function machine(): { busy: number; idle: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
  } catch {
    return undefined;
  }
}

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, all threads
  } catch {
    return 0;
  }
}

let databasePids: number[] | undefined;
function databaseServers(): number[] {
  if (databasePids) return databasePids;
  databasePids = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (comm === 'mariadbd' || comm === 'mysqld') databasePids.push(Number(entry));
      } catch {
        // gone
      }
    }
  } catch {
    // not Linux
  }
  return databasePids;
}

/** Starts measuring; `stop()` returns the shares. `servicePid` is the process under test, if any. */
export function cpuMeter(servicePid?: number): { stop(): CpuShare | undefined } {
  const t0 = performance.now();
  const m0 = machine();
  const bench0 = process.cpuUsage();
  // A cluster's workers are the service too: its CPU is the whole process tree's.
  const serviceTree = () => (servicePid === undefined ? [] : descendants(servicePid));
  const tree0 = new Map(serviceTree().map((pid) => [pid, ticksOf(pid)]));
  const children0 = new Map(childPids().map((pid) => [pid, ticksOf(pid)]));
  const db0 = databaseServers().reduce((sum, pid) => sum + ticksOf(pid), 0);
  return {
    stop() {
      const m1 = machine();
      if (!m0 || !m1) return undefined;
      const seconds = (performance.now() - t0) / 1000;
      const cores = (ticks: number) => Math.round((ticks / HZ / seconds) * 100) / 100;
      const benchUs = process.cpuUsage(bench0);
      const benchTicks = ((benchUs.user + benchUs.system) / 1e6) * HZ;
      let service = 0;
      let otherChildren = 0;
      for (const pid of new Set([...children0.keys(), ...childPids()])) {
        const used = ticksOf(pid) - (children0.get(pid) ?? 0);
        if (pid === servicePid) service += used;
        else otherChildren += Math.max(0, used);
      }
      // Workers that ended during the measurement are not counted (a restart would be an error anyway).
      for (const pid of new Set([...tree0.keys(), ...serviceTree()])) service += Math.max(0, ticksOf(pid) - (tree0.get(pid) ?? 0));
      const database = databaseServers().reduce((sum, pid) => sum + ticksOf(pid), 0) - db0;
      const busy = m1.busy - m0.busy;
      const others = Math.max(0, busy - benchTicks - service - otherChildren - database);
      return {
        seconds: Math.round(seconds * 10) / 10,
        service: cores(service),
        otherChildren: cores(otherChildren),
        bench: cores(benchTicks),
        database: cores(database),
        others: cores(others),
        idle: cores(m1.idle - m0.idle),
      };
    },
  };
}

export function describeCpu(share: CpuShare | undefined): string {
  if (!share) return 'n/a';
  const parts = [`service ${share.service}`];
  if (share.otherChildren) parts.push(`other children ${share.otherChildren}`);
  parts.push(`bench ${share.bench}`, `database ${share.database}`, `others ${share.others}`, `idle ${share.idle}`);
  return parts.join(', ');
}
