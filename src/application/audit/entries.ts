import { OPERATOR, type Caller } from '../../domain/access-policy.js';
import type { AuditActor } from './ports.js';

/** The operator at the command line acts under the nil UUID; the trail names it for what it is. */
export function actorOf(caller: Caller): AuditActor {
  return caller.userId === OPERATOR.userId ? 'operator' : caller.userId;
}

/** A name someone typed at sign-in, kept short: enough to recognise, never an unbounded string. */
export const MAX_NAME_TRIED = 64;

export function nameTried(raw: string): string {
  return [...raw.trim().toLowerCase()].slice(0, MAX_NAME_TRIED).join('');
}

/** For use cases built without an audit trail (unit tests of other rules, or the benchmark's switch). */
export const noAudit = { record: async (): Promise<void> => undefined };
