import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAuth } from '../auth.js';
import { useNewPassword } from '../components/new-password.js';
import { Field, Form, required, useForm } from '../components/form.js';
import { Page } from '../components/layout.js';
import { Link, takeFragmentToken } from '../router.js';

export function ForgotPassword() {
  const form = useForm(['username']);
  const [username, setUsername] = useState('');
  const [sent, setSent] = useState(false);
  const submit = async () => {
    const errors = required({ username }, { username: 'your username or email address' });
    if (Object.keys(errors).length > 0) return form.fail(errors);
    if (await form.run(async () => (await api.forgotPassword(username.trim()), true))) setSent(true);
  };
  return (
    <Page title="Forgot your password?">
      <div class="card">
        {sent ? (
          <p role="status">
            If an account with a confirmed email address matches, we have sent a link to reset its password. It works for 30 minutes and
            once only.
          </p>
        ) : (
          <Form form={form} onSubmit={submit} submitLabel="Send a reset link" busyLabel="Sending…">
            <p>Enter your username or your confirmed email address. We send a link to the account's confirmed address.</p>
            <Field
              form={form}
              name="username"
              label="Username or email"
              value={username}
              onValue={setUsername}
              autoComplete="username"
              required
            />
          </Form>
        )}
      </div>
      <p class="links">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </Page>
  );
}

/** Opened from the mailed link: the token is in the fragment, and nothing changes until the form is sent. */
export function ResetPassword() {
  const [token] = useState(takeFragmentToken);
  const form = useForm(['newPassword', 'confirm']);
  const password = useNewPassword('newPassword', 'New password');
  const [done, setDone] = useState(false);
  const submit = async () => {
    const errors = password.check('a new password');
    if (Object.keys(errors).length > 0) return form.fail(errors);
    if (await form.run(async () => (await api.resetPassword(token!, password.value), true))) setDone(true);
  };
  return (
    <Page title="Choose a new password">
      <div class="card">
        {!token ? (
          <p class="form-error" role="alert">
            This page needs the link from the email. Open the link again, or <Link to="/forgot-password">ask for a new one</Link>.
          </p>
        ) : done ? (
          <p role="status">
            Your password has been changed, and every session of your account has been ended. <Link to="/sign-in">Sign in</Link> with the
            new password.
          </p>
        ) : (
          <Form form={form} onSubmit={submit} submitLabel="Set new password" busyLabel="Saving…">
            {password.fields(form)}
          </Form>
        )}
      </div>
      {form.formError && !done && (
        <p class="links">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      )}
    </Page>
  );
}

/**
 * Opened from the mailed link. The address is confirmed by a button, not on opening: a mail scanner that opens
 * links (and runs their scripts) must not use up the single-use token.
 */
export function VerifyEmail() {
  const { user, refresh } = useAuth();
  const [token] = useState(takeFragmentToken);
  const form = useForm([]);
  const [done, setDone] = useState(false);
  const submit = async () => {
    if (await form.run(async () => (await api.verifyEmail(token!), true))) {
      setDone(true);
      if (user) await refresh();
    }
  };
  return (
    <Page title="Confirm your email address">
      <div class="card">
        {!token ? (
          <p class="form-error" role="alert">
            This page needs the link from the email. Open the link again{user ? ', or send a new one from your account page' : ''}.
          </p>
        ) : done ? (
          <p role="status">
            Your email address is confirmed. <Link to={user ? '/account' : '/sign-in'}>{user ? 'Back to your account' : 'Sign in'}</Link>
          </p>
        ) : (
          <Form form={form} onSubmit={submit} submitLabel="Confirm my address" busyLabel="Confirming…">
            <p>Confirm that this email address is yours.</p>
          </Form>
        )}
      </div>
    </Page>
  );
}
