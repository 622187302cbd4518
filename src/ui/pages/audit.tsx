import { useState } from 'preact/hooks';
import { api, type AuditFilter, type AuditPage } from '../api.js';
import { AuditList } from '../components/audit.js';
import { Field, Form, useForm } from '../components/form.js';
import { Page, Section } from '../components/layout.js';
import { Show, useLoad } from '../components/load.js';

const PAGE_SIZE = 50;

/** A datetime-local value (the browser's time zone) as the ISO instant the API takes. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function filterFromUrl(): { userId: string; type: string; since: string; until: string } {
  const q = new URLSearchParams(location.search);
  return { userId: q.get('userId') ?? '', type: q.get('type') ?? '', since: '', until: '' };
}

/** The audit trail, newest first, with its filters; further pages by the service's cursor. */
export function AuditTrail() {
  const [draft, setDraft] = useState(filterFromUrl);
  const [filter, setFilter] = useState<AuditFilter>(() => {
    const { userId, type } = filterFromUrl();
    return { userId: userId || undefined, type: type || undefined };
  });
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  const [after, setAfter] = useState<string>();
  const form = useForm(['userId', 'type', 'since', 'until', 'query.userId', 'query.type', 'query.since', 'query.until']);
  const [loaded] = useLoad<AuditPage>(() => api.audit({ ...filter, limit: PAGE_SIZE, after }), [JSON.stringify(filter), after]);
  const apply = async () => {
    const next: AuditFilter = {
      userId: draft.userId.trim() || undefined,
      type: draft.type.trim() || undefined,
      since: instant(draft.since),
      until: instant(draft.until),
    };
    if (next.since && next.until && next.since > next.until) return form.fail({ until: 'Must be after “From”.' });
    form.reset();
    setFilter(next);
    setTrail([]);
    setAfter(undefined);
    const q = new URLSearchParams(Object.entries({ userId: next.userId, type: next.type }).filter(([, v]) => v) as [string, string][]);
    history.replaceState(null, '', `${location.pathname}${q.size ? `?${q}` : ''}`);
  };
  const set = (key: keyof typeof draft) => (value: string) => setDraft({ ...draft, [key]: value });
  // The service names query fields `query.userId`...: show those next to the inputs too.
  const errors = { ...form.errors };
  for (const key of ['userId', 'type', 'since', 'until']) errors[key] ??= form.errors[`query.${key}`]!;
  const shown = { ...form, errors: Object.fromEntries(Object.entries(errors).filter(([, v]) => v)) };
  return (
    <Page title="Audit trail">
      <Section title="Filters">
        <Form form={shown} onSubmit={apply} submitLabel="Show entries" label="Filter the audit trail">
          <div class="grid">
            <Field
              form={shown}
              name="userId"
              id="audit-user"
              label="User id"
              value={draft.userId}
              onValue={set('userId')}
              autoComplete="off"
            />
            <Field
              form={shown}
              name="type"
              id="audit-type"
              label="Type"
              hint="e.g. login, user.disabled"
              value={draft.type}
              onValue={set('type')}
              autoComplete="off"
            />
            <Field
              form={shown}
              name="since"
              id="audit-since"
              label="From"
              type="datetime-local"
              value={draft.since}
              onValue={set('since')}
            />
            <Field
              form={shown}
              name="until"
              id="audit-until"
              label="Until"
              type="datetime-local"
              value={draft.until}
              onValue={set('until')}
            />
          </div>
        </Form>
      </Section>
      <Section title="Entries, newest first">
        <Show loaded={loaded} what="an audit trail">
          {(page) => (
            <>
              <AuditList entries={page.entries} showSubject />
              <nav class="pager" aria-label="Pages of entries">
                <button
                  type="button"
                  class="secondary"
                  disabled={trail.length === 0}
                  onClick={() => (setAfter(trail[trail.length - 1]), setTrail(trail.slice(0, -1)))}
                >
                  Newer
                </button>
                <button
                  type="button"
                  class="secondary"
                  disabled={!page.nextCursor}
                  onClick={() => (setTrail([...trail, after]), setAfter(page.nextCursor!))}
                >
                  Older
                </button>
              </nav>
            </>
          )}
        </Show>
      </Section>
    </Page>
  );
}
