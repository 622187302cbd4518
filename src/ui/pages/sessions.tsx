import { useState } from 'preact/hooks';
import { api, type Session } from '../api.js';
import { SessionList } from '../components/sessions.js';
import { Page, Section, Status } from '../components/layout.js';
import { Show, useLoad } from '../components/load.js';
import { messageOf } from '../messages.js';

export function MySessions() {
  const [loaded, reload] = useLoad(() => api.sessions());
  const [busy, setBusy] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const act = async (id: string, work: () => Promise<void>, done: string) => {
    setBusy(id);
    setError(undefined);
    setStatus(undefined);
    try {
      await work();
      setStatus(done);
      reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(undefined);
    }
  };
  const end = (s: Session) => act(s.id, () => api.endSession(s.id), 'The session has been ended.');
  const endOthers = () => act('others', () => api.endOtherSessions(), 'All your other sessions have been ended.');
  return (
    <Page title="My sessions">
      <Section title="Where you are signed in">
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Status message={status} />
        <Show loaded={loaded} what="a list of your sessions">
          {(sessions) => (
            <>
              <SessionList sessions={sessions} onEnd={end} busy={busy} />
              {sessions.some((s) => !s.current) && (
                <button type="button" class="danger" onClick={endOthers} disabled={busy === 'others'}>
                  Sign out all other sessions
                </button>
              )}
            </>
          )}
        </Show>
      </Section>
    </Page>
  );
}
