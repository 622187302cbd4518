import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Op = '>=' | '<=' | '<' | '==';

export interface Target {
  op: Op;
  value: number;
}

export interface Row {
  section: string;
  metric: string;
  value: number | string;
  unit?: string;
  target?: Target;
  /** Computed at report time: true/false when judged, undefined when there is no target or it is not judged. */
  met?: boolean;
  note?: string;
}

export function judge(value: number | string, target: Target | undefined): boolean | undefined {
  if (!target || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  switch (target.op) {
    case '>=':
      return value >= target.value;
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
    case '==':
      return value === target.value;
  }
}

function fmt(value: number | string, unit?: string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return `${value.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`;
  const text =
    abs >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : abs >= 100
        ? value.toFixed(0)
        : abs >= 10
          ? value.toFixed(1)
          : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

export interface Report {
  mode: 'smoke' | 'full';
  judged: boolean;
  machine: Record<string, unknown>;
  config: Record<string, unknown>;
  rows: Row[];
  errors: Array<{ phase: string; message: string }>;
  raw: Record<string, unknown>;
  durationS: number;
}

export function writeReport(dir: string, report: Report): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  for (const row of report.rows) row.met = report.judged ? judge(row.value, row.target) : undefined;
  // Sections in their numbered order, rows within a section in the order they were measured.
  const order = (section: string) => Number.parseFloat(section) || 99;
  report.rows.sort((a, b) => order(a.section) - order(b.section));
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report));
  return { json, md };
}

export function markdown(report: Report): string {
  const m = report.machine;
  const lines = [
    report.judged
      ? `# authsvc benchmark (${report.mode})`
      : `# authsvc benchmark (${report.mode}: shows the harness runs; its numbers are not results, and no target is judged)`,
    '',
    `- Date: ${String(m.date)}; run took ${report.durationS.toFixed(0)} s`,
    `- CPU: ${String(m.cpuModel)} × ${String(m.cpuCount)}; memory ${String(m.totalMemoryGiB)} GiB; ${String(m.os)}`,
    `- Node ${String(m.node)}; UV_THREADPOOL_SIZE ${String(m.uvThreadpoolSize)}; BCRYPT_THREADS ${String(m.bcryptThreads)}`,
    `- Database ${String(m.database)}; Kafka: ${String(m.kafka)}`,
    `- Code: git ${String(m.git)}; dist/src ${String(m.dist)}`,
    `- Load average (1, 5, 15 min) at start ${JSON.stringify(m.loadAverage)}, at end ${JSON.stringify(m.loadAverageAtEnd)}; the machine is shared, see the CPU rows ("others" = processes outside this run)`,
    '',
    ...(report.judged ? ['| Metric | Value | Target | Met? |', '|---|---|---|---|'] : ['| Metric | Value |', '|---|---|']),
  ];
  let section = '';
  for (const row of report.rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push(report.judged ? `| **${section}** | | | |` : `| **${section}** | |`);
    }
    const metric = row.note ? `${row.metric} (${row.note})` : row.metric;
    if (!report.judged) {
      // Not judged (a smoke run): no target column, so nothing reads as missed.
      lines.push(`| ${metric} | ${fmt(row.value, row.unit)} |`);
      continue;
    }
    const target = row.target ? `${row.target.op} ${fmt(row.target.value, row.unit)}` : '';
    const met = row.met === undefined ? (row.target ? 'n/a' : '') : row.met ? 'yes' : '**no**';
    lines.push(`| ${metric} | ${fmt(row.value, row.unit)} | ${target} | ${met} |`);
  }
  if (report.errors.length) {
    lines.push('', '## Errors', '');
    for (const e of report.errors) lines.push(`- ${e.phase}: ${e.message.split('\n')[0]}`);
  }
  lines.push(
    '',
    'Ratios compare two measurements taken side by side in this run. Latencies are from each response (fractional ms);',
    'fixed-rate loads are evenly paced (open loop), saturation loads are autocannon (closed loop). See bench/README.md.',
    '',
  );
  return lines.join('\n');
}
