/** Requests, loads and summaries the phases share. */
import { cannon, type CannonResult } from './cannon.js';
import { PASSWORD, POOL } from './context.js';
import { httpRequest, type PacedResult } from './paced.js';
import { runScript, type Service } from './processes.js';
import { summarize, type LatencySummary } from './stats.js';

export async function loginCookie(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login as ${name}: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  if (!cookies.some((c) => c.startsWith('authsvc.sid=')) || !cookies.some((c) => c.startsWith('authsvc.sid.sig='))) {
    throw new Error(`login as ${name}: expected authsvc.sid and authsvc.sid.sig cookies, got ${cookies.join('; ')}`);
  }
  return cookies.join('; ');
}

/** "p50 / p99 ms" for a table cell. */
export const pair = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;

export const loginBody = (name: string) => JSON.stringify({ username: name, password: PASSWORD });
export const meRequest = (cookie: string) => httpRequest('GET', '/users/me', { cookie });
export const loginRequest = (name: string) => httpRequest('POST', '/login', { 'content-type': 'application/json' }, loginBody(name));

/** Closed-loop POST /login from a few users round-robin, enough connections to keep the thread pool busy. */
export function loginLoad(service: Service, users: string[], durationS: number): Promise<CannonResult> {
  return cannon({
    url: service.base,
    connections: 2 * POOL,
    duration: durationS,
    requests: users.map((u) => ({
      method: 'POST' as const,
      path: '/login',
      headers: { 'content-type': 'application/json' },
      body: loginBody(u),
    })),
  });
}

export function pacedSummary(
  result: PacedResult,
): LatencySummary & { ok: number; errors: number; queued: number; statuses: Record<string, number> } {
  return { ...summarize(result.latencies), ok: result.ok, errors: result.errors, queued: result.queued, statuses: result.statuses };
}

export function evenlySpaced(count: number, max: number): number[] {
  const n = Math.min(count, max);
  return Array.from({ length: n }, (_, k) => 1 + Math.floor(((k + 0.5) * max) / n));
}

export async function ceiling(cost: number, durationMs: number): Promise<{ perSecond: number; compares: number; concurrency: number }> {
  const out = await runScript(['--import', 'tsx', 'bench/bcrypt-ceiling.ts', String(cost), String(durationMs)], { ...process.env });
  return JSON.parse(out.trim().split('\n').pop()!) as { perSecond: number; compares: number; concurrency: number };
}
