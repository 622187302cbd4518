/**
 * The audit phase (`--only audit`): what recording the audit trail costs a login at saturation, measured side by
 * side with the trail switched off (AUDIT_ENABLED=false, a switch for this comparison only), and that a flood of
 * refused attempts is not a flood of writes. Each measurement runs on a service of its own.
 */
import type { Knex } from 'knex';
import { cannon, type CannonResult } from './cannon.js';
import { countOf, insertUser } from './db.js';
import type { Service } from './processes.js';
import { progress } from './progress.js';
import type { Target } from './report.js';
import { ratio } from './stats.js';

export interface AuditBench {
  db: Knex;
  cost: number;
  hash: string;
  password: string;
  durationS: number;
  warmS: number;
  connections: number;
  boot(name: string, extra: Record<string, string>): Promise<Service>;
  row(section: string, metric: string, value: number | string, unit?: string, target?: Target, note?: string): void;
  raw: Record<string, unknown>;
}

const USERS = 4;

function logins(b: AuditBench, service: Service, names: string[], password: string, durationS: number): Promise<CannonResult> {
  const requests = names.map((u) => ({
    method: 'POST' as const,
    path: '/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: u, password }),
  }));
  return cannon({ url: service.base, connections: b.connections, duration: durationS, requests });
}

/** Successful and failed logins at saturation on one service, with the audit on or off. */
async function saturated(b: AuditBench, audit: boolean, names: string[]) {
  const service = await b.boot(`service-audit-${audit ? 'on' : 'off'}`, { AUDIT_ENABLED: String(audit) });
  try {
    await logins(b, service, names, b.password, b.warmS);
    progress(`POST /login with the audit ${audit ? 'on' : 'off'}: right passwords, then wrong ones, ${b.durationS} s each ...`);
    const ok = await logins(b, service, names, b.password, b.durationS);
    const failed = await logins(b, service, names, 'a wrong password for the bench', b.durationS);
    return { ok, failed };
  } finally {
    await service.stop();
  }
}

/** A flood of wrong passwords on one account with a low account limit: refusals (429) should write one block. */
async function flood(b: AuditBench, name: string) {
  const service = await b.boot('service-audit-flood', { LOGIN_LIMITS_ACCOUNT: '5/3600' });
  try {
    const before = await countOf(b.db, "select count(*) from audit where type in ('login', 'login.blocked')");
    progress(`a flood of wrong passwords on one account (limit 5 an hour), ${b.durationS} s ...`);
    const result = await logins(b, service, [name], 'a wrong password for the bench', b.durationS);
    const written = (await countOf(b.db, "select count(*) from audit where type in ('login', 'login.blocked')")) - before;
    const blocks = await countOf(b.db, "select count(*) from audit where type = 'login.blocked'");
    return { refused: result.statuses['429'] ?? 0, perSecond: (result.statuses['429'] ?? 0) / result.durationS, written, blocks, result };
  } finally {
    await service.stop();
  }
}

export async function measureAudit(b: AuditBench): Promise<void> {
  const names: string[] = [];
  for (let i = 1; i <= USERS; i += 1) {
    const name = `audit-c${b.cost}-${i}`;
    await insertUser(b.db, name, b.hash);
    names.push(name);
  }
  const floodName = `audit-flood-c${b.cost}`;
  await insertUser(b.db, floodName, b.hash);
  // Off, on, off again: drift in the machine's load falls on both sides.
  const off1 = await saturated(b, false, names);
  const on = await saturated(b, true, names);
  const off2 = await saturated(b, false, names);
  const mean = (a: number, c: number) => (a + c) / 2;
  const offOk = mean(off1.ok.rps, off2.ok.rps);
  const floodResult = await flood(b, floodName);
  b.raw.audit = { off1, on, off2, flood: floodResult };

  const section = `7. Audit trail (cost ${b.cost})`;
  b.row(section, 'logins/s, audit on / off (mean of the runs before and after)', `${on.ok.rps} / ${offOk.toFixed(1)}`);
  b.row(section, 'ratio logins/s audit on / off', ratio(on.ok.rps, offOk), undefined, { op: '>=', value: 0.9 });
  const per401 = (r: CannonResult) => (r.statuses['401'] ?? 0) / r.durationS;
  const failedOn = per401(on.failed);
  const failedOff = mean(per401(off1.failed), per401(off2.failed));
  b.row(
    section,
    'failed logins (401)/s, audit on / off',
    `${failedOn.toFixed(1)} / ${failedOff.toFixed(1)}`,
    undefined,
    undefined,
    'each failure is a row of its own when on',
  );
  b.row(section, 'ratio failed logins/s audit on / off', ratio(failedOn, failedOff), undefined, { op: '>=', value: 0.9 });
  b.row(
    section,
    'login p99 audit on / off (ms)',
    `${on.ok.latency.p99.toFixed(1)} / ${mean(off1.ok.latency.p99, off2.ok.latency.p99).toFixed(1)}`,
  );
  b.row(
    section,
    `refused attempts (429) in a flood on one account`,
    Math.round(floodResult.perSecond),
    '/s',
    undefined,
    `${floodResult.refused} in all`,
  );
  b.row(section, 'audit rows written by the flood (5 failures, then one block)', floodResult.written, undefined, { op: '<=', value: 6 });
}
