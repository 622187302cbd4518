import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Role, type User } from '../api.js';
import { useAuth } from '../auth.js';
import { AuditList } from '../components/audit.js';
import { Field, Form, useForm } from '../components/form.js';
import { NotAvailable, Page, Section, Status } from '../components/layout.js';
import { Show, useLoad } from '../components/load.js';
import { SessionList } from '../components/sessions.js';
import { formatTime, messageOf } from '../messages.js';
import { Link, navigate } from '../router.js';

export function AdminUser({ id }: { id: string }) {
  const [loaded, , setUser] = useLoad(() => api.user(id), [id]);
  return (
    <Show loaded={loaded} what="this user">
      {(user) => <UserDetail user={user} onChange={setUser} />}
    </Show>
  );
}

function UserDetail({ user, onChange }: { user: User; onChange: (user: User) => void }) {
  const { user: me } = useAuth();
  const self = me?.id === user.id;
  return (
    <Page title={`User ${user.username}`}>
      <p class="links">
        <Link to="/admin/users">← All users</Link>
      </p>
      <Section title="Profile">
        <dl class="facts">
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>Id</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
          {'emailVerified' in user && (
            <>
              <dt>Email</dt>
              <dd>{user.email ? `${user.email} (${user.emailVerified ? 'confirmed' : 'not confirmed'})` : '—'}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{formatTime(user.createdAt)}</dd>
          <dt>Updated</dt>
          <dd>{formatTime(user.updatedAt)}</dd>
        </dl>
      </Section>
      <RoleForm user={user} onChange={onChange} />
      <StatusForm user={user} self={self} onChange={onChange} />
      <ResetPassword user={user} />
      <TheirSessions user={user} />
      <TheirAudit user={user} />
      <DeleteUser user={user} self={self} />
    </Page>
  );
}

function RoleForm({ user, onChange }: { user: User; onChange: (user: User) => void }) {
  const form = useForm(['role']);
  const [role, setRole] = useState<Role>(user.role);
  const [status, setStatus] = useState<string>();
  const submit = async () => {
    setStatus(undefined);
    const updated = await form.run(() => api.changeRole(user.id, role));
    if (updated) {
      onChange(updated);
      setStatus(`${updated.username} is now ${updated.role === 'admin' ? 'an admin' : 'a user'}.`);
    }
  };
  return (
    <Section title="Role">
      <Status message={status} />
      <Form form={form} onSubmit={submit} submitLabel="Save role" busyLabel="Saving…" label="Role">
        <fieldset
          class="choices"
          aria-invalid={form.errors.role ? 'true' : undefined}
          aria-describedby={form.errors.role ? 'role-error' : undefined}
        >
          <legend>Choose a role</legend>
          {(['user', 'admin'] as const).map((r) => (
            <label key={r} class="choice">
              <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
              {r === 'admin' ? 'Admin: manages users and reads the audit trail' : 'User'}
            </label>
          ))}
          {form.errors.role && (
            <p class="field-error" id="role-error">
              {form.errors.role}
            </p>
          )}
        </fieldset>
      </Form>
    </Section>
  );
}

function StatusForm({ user, self, onChange }: { user: User; self: boolean; onChange: (user: User) => void }) {
  const form = useForm(['status', 'reason']);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState<string>();
  const current = user.status;
  const wanted = current === 'active' ? 'disabled' : 'active';
  const submit = async () => {
    setStatus(undefined);
    const updated = await form.run(() => api.changeStatus(user.id, wanted, reason.trim() || undefined));
    if (updated) {
      onChange(updated);
      setReason('');
      setStatus(
        updated.status === 'disabled'
          ? `${updated.username} is disabled and signed out everywhere.`
          : `${updated.username} can sign in again.`,
      );
    }
  };
  if (current === undefined) {
    return (
      <Section title="Status">
        <NotAvailable what="account status (disable instead of delete)" />
      </Section>
    );
  }
  return (
    <Section title="Status">
      <p>
        This account is <strong>{current}</strong>.{' '}
        {current === 'active' ? 'Disabling keeps its data but stops it signing in, and ends all its sessions.' : ''}
      </p>
      <Status message={status} />
      {self ? (
        <p>You cannot disable your own account.</p>
      ) : (
        <Form
          form={form}
          onSubmit={submit}
          submitLabel={wanted === 'disabled' ? 'Disable account' : 'Enable account'}
          busyLabel="Saving…"
          label="Status"
          danger={wanted === 'disabled'}
        >
          <Field
            form={form}
            name="reason"
            id="status-reason"
            label="Reason (optional)"
            hint="Kept in the audit trail."
            value={reason}
            onValue={setReason}
            maxLength={500}
          />
        </Form>
      )}
    </Section>
  );
}

function ResetPassword({ user }: { user: User }) {
  const form = useForm(['newPassword']);
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<string>();
  const submit = async () => {
    setStatus(undefined);
    if (!password) return form.fail({ newPassword: 'Enter a new password.' });
    if (await form.run(async () => (await api.changePassword(user.id, { newPassword: password }), true))) {
      setPassword('');
      setStatus(`The password of ${user.username} has been changed, and their sessions have been ended. Tell them the new one safely.`);
    }
  };
  return (
    <Section title="Reset password">
      <Status message={status} />
      <Form form={form} onSubmit={submit} submitLabel="Set password" busyLabel="Saving…" label="Reset password">
        <Field
          form={form}
          name="newPassword"
          id="admin-new-password"
          label="New password"
          hint="At least 8 characters."
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="new-password"
          required
        />
      </Form>
    </Section>
  );
}

function TheirSessions({ user }: { user: User }) {
  const [loaded, reload] = useLoad(() => api.userSessions(user.id), [user.id]);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const endAll = async () => {
    setError(undefined);
    try {
      await api.endUserSessions(user.id);
      setStatus('All their sessions have been ended.');
      reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <Section title="Sessions">
      <Status message={status} />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <Show loaded={loaded} what="a list of their sessions">
        {(sessions) => (
          <>
            <SessionList sessions={sessions.map((s) => ({ ...s, current: false }))} />
            {sessions.length > 0 && (
              <button type="button" class="danger" onClick={endAll}>
                End all their sessions
              </button>
            )}
          </>
        )}
      </Show>
    </Section>
  );
}

function TheirAudit({ user }: { user: User }) {
  const [loaded] = useLoad(() => api.audit({ userId: user.id, limit: 20 }), [user.id]);
  return (
    <Section title="Recent audit entries">
      <Show loaded={loaded} what="an audit trail">
        {(page) => (
          <>
            <AuditList entries={page.entries} />
            <p class="links">
              <Link to={`/admin/audit?userId=${encodeURIComponent(user.id)}`}>All their entries in the audit trail</Link>
            </p>
          </>
        )}
      </Show>
    </Section>
  );
}

function DeleteUser({ user, self }: { user: User; self: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useForm([]);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else if (dialog.current?.open) dialog.current.close();
  }, [open]);
  const confirm = async () => {
    if (await form.run(async () => (await api.deleteUser(user.id), true))) {
      setOpen(false);
      navigate('/admin/users');
    }
  };
  if (self) return null;
  return (
    <Section title="Delete account">
      <p>Deleting removes the account and ends its sessions. This cannot be undone; disabling can.</p>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete {user.username}…
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-title"
        aria-describedby="delete-text"
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
      >
        <h2 id="delete-title">Delete {user.username}?</h2>
        <p id="delete-text">The account and its sessions are removed for good.</p>
        {form.formError && (
          <p class="form-error" role="alert">
            {form.formError}
          </p>
        )}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={confirm} disabled={form.busy}>
            {form.busy ? 'Deleting…' : 'Yes, delete'}
          </button>
        </div>
      </dialog>
    </Section>
  );
}
