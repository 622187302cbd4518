import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAuth } from '../auth.js';
import { useServed } from '../features.js';
import { useNewPassword } from '../components/new-password.js';
import { Field, Form, required, useForm } from '../components/form.js';
import { Page } from '../components/layout.js';
import { Link } from '../router.js';

export function Register() {
  const { refresh, signedOut } = useAuth();
  const form = useForm(['username', 'password', 'confirm', 'email']);
  const [username, setUsername] = useState('');
  const password = useNewPassword('password', 'Password');
  const [email, setEmail] = useState('');
  const withEmail = useServed('/email/verify') === true;

  const submit = async () => {
    const errors = { ...required({ username }, { username: 'a username' }), ...password.check('a password') };
    if (Object.keys(errors).length > 0) return form.fail(errors);
    const name = username.trim();
    const created = await form.run(async () => {
      await api.register({ username: name, password: password.value, ...(withEmail && email.trim() && { email: email.trim() }) });
      return true;
    });
    if (!created) return;
    // The account exists: sign in with it straight away, as the person expects. Should that fail (throttled,
    // the service busy), the sign-in page says so; sending the form again would only find the name taken.
    try {
      await api.logIn({ username: name, password: password.value });
      await refresh(); // the app then moves on to the account
    } catch {
      signedOut(`Your account ${name} has been created. Sign in to continue.`);
    }
  };
  return (
    <Page title="Create an account">
      <div class="card">
        <Form form={form} onSubmit={submit} submitLabel="Create account" busyLabel="Creating…">
          <Field
            form={form}
            name="username"
            label="Username"
            hint="3 to 64 characters: letters a–z, digits, and . _ -"
            value={username}
            onValue={setUsername}
            autoComplete="username"
            required
          />
          {withEmail && (
            <Field
              form={form}
              name="email"
              label="Email address (optional)"
              hint="Lets you reset a forgotten password. We send a link to confirm it."
              type="email"
              value={email}
              onValue={setEmail}
              autoComplete="email"
              inputMode="email"
            />
          )}
          {password.fields(form)}
        </Form>
      </div>
      <p class="links">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </Page>
  );
}
