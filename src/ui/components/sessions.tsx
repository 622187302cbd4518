import type { Session } from '../api.js';
import { formatTime } from '../messages.js';

/** A short name for a browser from its user agent, for a person to recognise the device. */
export function deviceOf(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? userAgent.slice(0, 60);
}

export function SessionList({ sessions, onEnd, busy }: { sessions: Session[]; onEnd?: (s: Session) => void; busy?: string }) {
  if (sessions.length === 0) return <p>No live sessions.</p>;
  return (
    <ul class="items">
      {sessions.map((s) => (
        <li key={s.id} class={s.current ? 'current' : undefined}>
          <p class="item-title">
            {deviceOf(s.userAgent)}
            {s.current && <span class="badge ok">This device</span>}
            {s.type === 'token' && <span class="badge">App (token)</span>}
          </p>
          <dl class="facts compact">
            <dt>Signed in</dt>
            <dd>{formatTime(s.createdAt)}</dd>
            <dt>Last active</dt>
            <dd>{formatTime(s.lastSeenAt)}</dd>
            <dt>Address</dt>
            <dd>{s.ip ?? '—'}</dd>
            <dt>Ends</dt>
            <dd>{formatTime(s.expiresAt)}</dd>
          </dl>
          {onEnd && !s.current && (
            <button
              type="button"
              class="secondary"
              onClick={() => onEnd(s)}
              disabled={busy === s.id}
              aria-label={`End this session: ${deviceOf(s.userAgent)}, signed in ${formatTime(s.createdAt)}`}
            >
              {busy === s.id ? 'Ending…' : 'End this session'}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
