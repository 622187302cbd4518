import { useState } from 'preact/hooks';
import { api, type User } from '../api.js';
import { useAuth } from '../auth.js';
import { useNewPassword } from '../components/new-password.js';
import { Field, Form, required, useForm } from '../components/form.js';
import { Page, Section, Status } from '../components/layout.js';
import { useReauth } from '../components/reauth.js';
import { formatTime, messageOf } from '../messages.js';

export function Account() {
  const { user, signedOut } = useAuth();
  if (!user) return null;
  const signOut = async () => {
    await api.logOut().catch(() => undefined);
    signedOut('You have signed out.');
  };
  return (
    <Page title="My account">
      <Section title="Profile">
        <dl class="facts">
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          {user.status && (
            <>
              <dt>Status</dt>
              <dd>{user.status}</dd>
            </>
          )}
          <dt>Member since</dt>
          <dd>{formatTime(user.createdAt)}</dd>
        </dl>
      </Section>
      {'emailVerified' in user && <EmailAddress user={user} />}
      <ChangePassword user={user} />
      <Section title="Sign out">
        <p>Ends this session on this device. Your other sessions stay signed in.</p>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </Section>
    </Page>
  );
}

function EmailAddress({ user }: { user: User }) {
  const { refresh } = useAuth();
  const reauth = useReauth();
  const form = useForm(['email', 'currentPassword']);
  const [email, setEmail] = useState(user.email ?? '');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<string>();
  const [resendError, setResendError] = useState<string>();
  const submit = async () => {
    const errors = required({ email, password }, { email: 'an email address', password: 'your current password' });
    if (errors.password) errors.currentPassword = errors.password;
    delete errors.password;
    if (Object.keys(errors).length > 0) return form.fail(errors);
    // Reset links go to the address, so changing it needs a recent sign-in: the service asks, the dialog confirms.
    if (await form.run(() => reauth.guard(() => api.changeEmail(user.id, { email: email.trim(), currentPassword: password })))) {
      setPassword('');
      setStatus(`We sent a link to ${email.trim()}: open it to confirm the address.`);
      await refresh();
    }
  };
  const resend = async () => {
    setResendError(undefined);
    try {
      await api.resendVerification();
      setStatus(`We sent a new link to ${user.email}.`);
    } catch (error) {
      setResendError(messageOf(error));
    }
  };
  return (
    <Section title="Email address">
      <p>
        {user.email ? (
          <>
            <strong>{user.email}</strong> —{' '}
            {user.emailVerified ? <span class="badge ok">confirmed</span> : <span class="badge warn">not confirmed yet</span>}
          </>
        ) : (
          'No email address yet. With a confirmed address you can reset a forgotten password yourself.'
        )}
      </p>
      {user.email && !user.emailVerified && (
        <p>
          <button type="button" class="secondary" onClick={resend}>
            Send the confirmation link again
          </button>
        </p>
      )}
      {resendError && (
        <p class="form-error" role="alert">
          {resendError}
        </p>
      )}
      <Status message={status} />
      <Form form={form} onSubmit={submit} submitLabel="Change address" busyLabel="Saving…" label="Change email address">
        <Field
          form={form}
          name="email"
          id="email-new"
          label="New email address"
          type="email"
          value={email}
          onValue={setEmail}
          autoComplete="email"
          inputMode="email"
          required
        />
        <Field
          form={form}
          name="currentPassword"
          id="email-current-password"
          label="Current password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
      </Form>
      {reauth.dialog}
    </Section>
  );
}

function ChangePassword({ user }: { user: User }) {
  // A sign-in older than the service's window gets 403 reauthentication-required: the dialog asks for the
  // password, then the change is sent again.
  const reauth = useReauth();
  const form = useForm(['currentPassword', 'newPassword', 'confirm']);
  const [current, setCurrent] = useState('');
  const next = useNewPassword('newPassword', 'New password');
  const [status, setStatus] = useState<string>();
  const submit = async () => {
    setStatus(undefined);
    const errors = {
      ...required({ currentPassword: current }, { currentPassword: 'your current password' }),
      ...next.check('a new password'),
    };
    if (Object.keys(errors).length > 0) return form.fail(errors);
    const change = () => api.changePassword(user.id, { currentPassword: current, newPassword: next.value });
    if (await form.run(async () => (await reauth.guard(change), true))) {
      setCurrent('');
      next.clear();
      setStatus('Your password has been changed. Your other sessions have been signed out.');
    }
  };
  return (
    <Section title="Change password">
      <Status message={status} />
      <Form form={form} onSubmit={submit} submitLabel="Change password" busyLabel="Saving…" label="Change password">
        <Field
          form={form}
          name="currentPassword"
          label="Current password"
          type="password"
          value={current}
          onValue={setCurrent}
          autoComplete="current-password"
          required
        />
        {next.fields(form)}
      </Form>
      {reauth.dialog}
    </Section>
  );
}
