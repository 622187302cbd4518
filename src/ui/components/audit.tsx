import type { AuditEntry } from '../api.js';
import { formatTime } from '../messages.js';

/** "user.role_changed" → "User role changed" */
export function describeType(type: string): string {
  const words = type.replace(/[._]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Event';
}

function detailsText(details: Record<string, unknown> | undefined): string | undefined {
  if (!details) return undefined;
  const parts = Object.entries(details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : undefined;
}

export function AuditList({ entries, showSubject }: { entries: AuditEntry[]; showSubject?: boolean }) {
  if (entries.length === 0) return <p>Nothing recorded.</p>;
  return (
    <ul class="items">
      {entries.map((e) => (
        <li key={e.id || `${e.time}-${e.type}`}>
          <p class="item-title">
            {describeType(e.type)}
            {e.outcome && <span class={`badge ${e.outcome === 'success' || e.outcome === 'ok' ? 'ok' : 'warn'}`}>{e.outcome}</span>}
          </p>
          <dl class="facts compact">
            <dt>When</dt>
            <dd>{formatTime(e.time)}</dd>
            {e.actor && (
              <>
                <dt>By</dt>
                <dd>{e.actor}</dd>
              </>
            )}
            {showSubject && e.userId && (
              <>
                <dt>User</dt>
                <dd>{e.userId}</dd>
              </>
            )}
            {e.ip && (
              <>
                <dt>Address</dt>
                <dd>{e.ip}</dd>
              </>
            )}
            {detailsText(e.details) && (
              <>
                <dt>Details</dt>
                <dd>{detailsText(e.details)}</dd>
              </>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}
