import { useState } from 'preact/hooks';
import { api, type UserPage } from '../api.js';
import { Page, Section } from '../components/layout.js';
import { Show, useLoad } from '../components/load.js';
import { formatTime } from '../messages.js';
import { Link } from '../router.js';

const PAGE_SIZE = 20;

/**
 * Users, paged by the service's cursor. The service has no search yet, so the filter looks through the users
 * of the page on screen, and says so.
 */
export function AdminUsers() {
  // The cursors of the pages before this one, to go back.
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  const [after, setAfter] = useState<string>();
  const [filter, setFilter] = useState('');
  const [loaded] = useLoad<UserPage>(() => api.users({ limit: PAGE_SIZE, after }), [after]);
  const next = (cursor: string) => {
    setTrail([...trail, after]);
    setAfter(cursor);
  };
  const previous = () => {
    setAfter(trail[trail.length - 1]);
    setTrail(trail.slice(0, -1));
  };
  const needle = filter.trim().toLowerCase();
  return (
    <Page title="Users">
      <Section title={`Page ${trail.length + 1}`} id="users-page">
        <div class="field">
          <label for="user-filter">Filter this page by name or address</label>
          <p class="hint" id="user-filter-hint">
            Looks through the {PAGE_SIZE} users shown on this page only.
          </p>
          <input
            id="user-filter"
            type="search"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            aria-describedby="user-filter-hint"
            autoComplete="off"
          />
        </div>
        <Show loaded={loaded} what="a list of users">
          {(page) => {
            const users = page.users.filter(
              (u) => !needle || u.username.includes(needle) || (u.email ?? '').toLowerCase().includes(needle),
            );
            return (
              <>
                <p role="status" class="count">
                  {needle
                    ? `${users.length} of ${page.users.length} users on this page match.`
                    : `${page.users.length} users on this page.`}
                </p>
                <ul class="items">
                  {users.map((u) => (
                    <li key={u.id}>
                      <p class="item-title">
                        <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.username}</Link>
                        {u.role === 'admin' && <span class="badge">admin</span>}
                        {u.status === 'disabled' && <span class="badge warn">disabled</span>}
                      </p>
                      <p class="meta">
                        {u.email ? `${u.email} · ` : ''}since {formatTime(u.createdAt)}
                      </p>
                    </li>
                  ))}
                </ul>
                <nav class="pager" aria-label="Pages of users">
                  <button type="button" class="secondary" onClick={previous} disabled={trail.length === 0}>
                    Previous page
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => page.nextCursor && next(page.nextCursor)}
                    disabled={!page.nextCursor}
                  >
                    Next page
                  </button>
                </nav>
              </>
            );
          }}
        </Show>
      </Section>
    </Page>
  );
}
