import { api } from '../api.js';
import { AuditList } from '../components/audit.js';
import { Page, Section } from '../components/layout.js';
import { Show, useLoad } from '../components/load.js';

export function MyActivity() {
  const [loaded] = useLoad(() => api.myActivity());
  return (
    <Page title="Recent activity">
      <Section title="Sign-ins and security changes">
        <p>If something here was not you, change your password and sign out your other sessions.</p>
        <Show loaded={loaded} what="a record of your activity">
          {(page) => <AuditList entries={page.entries} />}
        </Show>
      </Section>
    </Page>
  );
}
