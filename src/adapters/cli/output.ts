import type { UserView } from '../../application/accounts/user-view.js';
import type { ParkedMail } from '../../application/email/ports.js';
import type { ParkedOutboxRow } from '../../application/outbox/ports.js';

/** Somewhere text is written: a standard stream, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
}

/** The standard streams a command reads and writes: `process` itself, or the stand-ins of an in-process test. */
export interface Stdio {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Output;
  stderr: Output;
}

/** stdout carries the command's output only, for scripts to read. */
export const print = (io: Stdio, line: string): void => void io.stdout.write(`${line}\n`);
/** Hints, like prompts, usage and log lines, go to stderr. */
export const hint = (io: Stdio, line: string): void => void io.stderr.write(`${line}\n`);

export function userTable(users: UserView[]): string {
  const cells = users.map((u) => [u.id, u.username, u.role, u.createdAt.toISOString()]);
  const rows = [['ID', 'USERNAME', 'ROLE', 'CREATED'], ...cells];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What `outbox-status --json` prints: the first parked rows only, as `parked` counts them all. */
export interface OutboxStatus {
  pending: number;
  oldestPendingAgeMs: number | null;
  parked: number;
  parkedEvents: ParkedOutboxRow[];
  published: number;
  /** The mail queue: messages parked after a permanent failure need a person, like parked events. */
  mail: { pending: number; parked: number; sent: number; parkedMessages: ParkedMail[] };
}

export function outboxLines({ pending, oldestPendingAgeMs, parked, parkedEvents, published, mail }: OutboxStatus): string[] {
  const oldest = oldestPendingAgeMs === null ? '' : ` (the oldest for ${duration(oldestPendingAgeMs)})`;
  const lines = [`pending    ${pending}${oldest}`, `parked     ${parked}`];
  for (const e of parkedEvents) {
    const error = (e.lastError ?? '').split('\n')[0]!.slice(0, 200);
    lines.push(`  seq ${e.seq}  ${e.type}  user ${e.aggregateId}  parked ${e.parkedAt.toISOString()}: ${error}`);
  }
  if (parked > parkedEvents.length) lines.push(`  and ${parked - parkedEvents.length} more`);
  lines.push(`published  ${published}`, `mail pending  ${mail.pending}`, `mail parked   ${mail.parked}`);
  for (const m of mail.parkedMessages) {
    const error = (m.lastError ?? '').split('\n')[0]!.slice(0, 200);
    lines.push(`  seq ${m.seq}  ${m.kind}  user ${m.userId}  parked ${m.parkedAt.toISOString()}: ${error}`);
  }
  if (mail.parked > mail.parkedMessages.length) lines.push(`  and ${mail.parked - mail.parkedMessages.length} more`);
  return [...lines, `mail sent     ${mail.sent}`];
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return `${ms} ms`;
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
