import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './processes.js';

/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`, or BENCH_CPU_PROF_DIR=dir npm run bench).
 * Usage: tsx bench/profile-summary.ts [--top 25] <file.cpuprofile>... (node writes one file per thread: the main
 * thread's is the largest; the others are worker threads such as the bcrypt pool).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
if (args.length === 0 || !Number.isFinite(top)) {
  process.stderr.write('usage: tsx bench/profile-summary.ts [--top N] <file.cpuprofile>...\n');
  process.exit(2);
}

const where = (url: string) => {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return rel.replace(/^node_modules\//, 'nm/');
};
function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totals = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'}  ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + us);
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.startsWith('node:') ? 'node internals' : url ? 'app (dist/src)' : functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log(`\nTop ${top} functions by self time:`);
  for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  console.log('\nSelf time by package:');
  for (const [pkg, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(us)}  ${pkg}`);
}

for (const file of args) summarise(file);
