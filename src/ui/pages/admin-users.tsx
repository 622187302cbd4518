import { useEffect, useState } from 'preact/hooks';
import { api, type UserPage } from '../api.js';
import { Field, Form, useForm } from '../components/form.js';
import { Page, Section } from '../components/layout.js';
import { formatTime } from '../messages.js';
import { Link } from '../router.js';

const PAGE_SIZE = 20;
/** The longest search the service takes (the longest address). */
const MAX_SEARCH = 254;

/** What is on screen: the search it answers, and the cursors of the pages before this one, to go back. */
interface Shown {
  q: string;
  trail: (string | undefined)[];
  after: string | undefined;
  page: UserPage;
}

const searchFromUrl = (): string => new URLSearchParams(location.search).get('q') ?? '';

/**
 * Users, oldest first, paged by the service's cursor. The search is the service's (`GET /users?q=`): users whose
 * username or address starts with the words given, across all pages; the pages then walk the matches.
 */
export function AdminUsers() {
  const [draft, setDraft] = useState(searchFromUrl);
  const [shown, setShown] = useState<Shown>();
  // The service names a too-long search `query.q` and one with control characters `q`: both go next to the box.
  const form = useForm(['q', 'query.q']);
  const show = (q: string, trail: (string | undefined)[], after: string | undefined) =>
    form.run(async () => {
      const page = await api.users({ q: q || undefined, limit: PAGE_SIZE, after });
      setShown({ q, trail, after, page });
      history.replaceState(null, '', `${location.pathname}${q ? `?${new URLSearchParams({ q })}` : ''}`);
    });
  useEffect(() => {
    void show(draft.trim(), [], undefined);
  }, []);
  const errors = { ...form.errors };
  errors.q ??= form.errors['query.q']!;
  const withErrors = { ...form, errors: Object.fromEntries(Object.entries(errors).filter(([, v]) => v)) };

  return (
    <Page title="Users">
      <Section title="Search" id="users-search">
        <Form
          form={withErrors}
          onSubmit={() => show(draft.trim(), [], undefined)}
          submitLabel="Search"
          busyLabel="Searching…"
          label="Search users"
        >
          <Field
            form={withErrors}
            name="q"
            id="user-search"
            label="Name or address starts with"
            hint="Leave empty to list everyone."
            type="search"
            value={draft}
            onValue={setDraft}
            autoComplete="off"
            maxLength={MAX_SEARCH}
          />
        </Form>
      </Section>
      <Section title={shown ? `Page ${shown.trail.length + 1}` : 'Users'} id="users-page">
        {!shown ? (
          form.busy && <p class="loading">Loading…</p>
        ) : (
          <>
            <p role="status" class="count">
              {countLine(shown)}
            </p>
            <ul class="items">
              {shown.page.users.map((u) => (
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
              <button
                type="button"
                class="secondary"
                onClick={() => show(shown.q, shown.trail.slice(0, -1), shown.trail[shown.trail.length - 1])}
                disabled={shown.trail.length === 0 || form.busy}
              >
                Previous page
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => shown.page.nextCursor && show(shown.q, [...shown.trail, shown.after], shown.page.nextCursor)}
                disabled={!shown.page.nextCursor || form.busy}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </Section>
    </Page>
  );
}

function countLine({ q, page }: Shown): string {
  const n = page.users.length;
  const more = page.nextCursor ? ', more on the next page' : '';
  if (!q) return `${n} ${n === 1 ? 'user' : 'users'} on this page${more}.`;
  if (n === 0) return `No user's name or address starts with “${q}”.`;
  return `${n} ${n === 1 ? 'user' : 'users'} whose name or address starts with “${q}” on this page${more}.`;
}
