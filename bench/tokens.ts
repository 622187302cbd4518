/**
 * 7. Tokens: POST /token per second on the service, and access-token verifications per second per core in a
 * downstream process (jose, cached JWKS), next to GET /users/me per second on the service: the ratio is why a
 * downstream service verifies tokens itself instead of asking authsvc on every request.
 */
import { once } from 'node:events';
import { cannon } from './cannon.js';
import { cpuMeter, describeCpu } from './cpu.js';
import type { Service } from './processes.js';
import { startReporting, stopChild } from './processes.js';
import { progress } from './progress.js';
import type { Target } from './report.js';
import { ratio } from './stats.js';

export interface TokenBench {
  /** A logged-in session's Cookie header. */
  cookie: string;
  durationS: number;
  warmS: number;
  connections: number;
  row: (section: string, metric: string, value: number | string, unit?: string, target?: Target, note?: string) => void;
  raw: Record<string, unknown>;
}

const SECTION = '7. Tokens for other services';

export async function measureTokens(service: Service, bench: TokenBench): Promise<void> {
  const { cookie, durationS, warmS, connections, row } = bench;
  const token = { url: `${service.base}/token`, method: 'POST' as const, connections, headers: { cookie } };
  await cannon({ ...token, duration: warmS });
  progress(`POST /token saturated, ${connections} connections, ${durationS} s ...`);
  const cpu = cpuMeter(service.pid);
  const issued = await cannon({ ...token, duration: durationS });
  const tokenCpu = cpu.stop();
  if (issued.ok === 0) throw new Error(`POST /token answered no 2xx: ${JSON.stringify(issued.statuses)}`);

  progress(`GET /users/me saturated, for comparison, ${durationS} s ...`);
  const me = await cannon({ url: `${service.base}/users/me`, connections, duration: durationS, headers: { cookie } });

  const res = await fetch(`${service.base}/token`, { method: 'POST', headers: { cookie } });
  if (res.status !== 200) throw new Error(`POST /token: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  progress(`downstream verifier (one process, one thread), ${durationS} s ...`);
  const worker = await startReporting(['--import', 'tsx', 'bench/verify-worker.ts', service.base, accessToken, String(durationS * 1000)], {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
  });
  const verified = worker.first as { verifications: number; seconds: number; perSecond: number };
  if (worker.child.exitCode === null) await Promise.race([once(worker.child, 'exit'), stopChild(worker.child)]);

  bench.raw.tokens = { issued, tokenCpu, me, verified };
  row(SECTION, `POST /token rps saturated (${connections} connections)`, issued.rps, '/s');
  row(SECTION, 'POST /token p50 / p99', `${issued.latency.p50.toFixed(1)} / ${issued.latency.p99.toFixed(1)} ms`);
  row(SECTION, 'CPU cores busy, POST /token saturated', describeCpu(tokenCpu));
  row(SECTION, 'access-token verifications per second, one core (downstream, jose, cached JWKS)', verified.perSecond, '/s');
  row(SECTION, `GET /users/me rps saturated (authsvc, ${connections} connections)`, me.rps, '/s');
  row(
    SECTION,
    'ratio local verifications per core / GET /users/me rps',
    ratio(verified.perSecond, me.rps),
    undefined,
    undefined,
    'what a downstream service gains by verifying tokens itself',
  );
}
