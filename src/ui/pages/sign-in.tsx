import { useState } from 'preact/hooks';
import { api, ApiError, type LoginAnswer } from '../api.js';
import { useAuth } from '../auth.js';
import { Field, Form, required, useForm } from '../components/form.js';
import { Page } from '../components/layout.js';
import { useServed } from '../features.js';
import { messageOf } from '../messages.js';
import { Link } from '../router.js';
import { authenticateWithPasskey, passkeysSupported } from '../webauthn.js';

/** Sign in with a password (then a second factor when the account has one), or with a passkey alone. */
export function SignIn() {
  const { refresh } = useAuth();
  const [step, setStep] = useState<{ methods: string[] } | undefined>();
  // Once the account is known, the app moves on from this page (src/ui/main.tsx).
  const done = async () => {
    await refresh();
  };
  const answered = async (answer: LoginAnswer | undefined) => {
    if (!answer) return;
    if (answer.mfaRequired) setStep({ methods: answer.methods ?? ['totp'] });
    else await done();
  };
  return (
    <Page title={step ? 'Second factor' : 'Sign in'}>
      {step ? (
        <SecondFactor methods={step.methods} onDone={done} onCancel={() => setStep(undefined)} />
      ) : (
        <PasswordStep onAnswer={answered} />
      )}
    </Page>
  );
}

function PasswordStep({ onAnswer }: { onAnswer: (answer: LoginAnswer | undefined) => Promise<void> }) {
  const form = useForm(['username', 'password']);
  const passkey = useForm([]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // A confirmed email address signs in too where the server has addresses.
  const byEmail = useServed('/email/verify');
  const submit = async () => {
    const missing = required({ username, password }, { username: 'your username', password: 'your password' });
    if (Object.keys(missing).length > 0) return form.fail(missing);
    await onAnswer(await form.run(() => api.logIn({ username: username.trim(), password })));
  };
  const withPasskey = async () => {
    await onAnswer(
      await passkey.run(async () => {
        const options = await api.passkeyLoginOptions(username.trim() || undefined);
        return api.passkeyLogin(await authenticateWithPasskey(options));
      }),
    );
  };
  return (
    <>
      <div class="card">
        <Form form={form} onSubmit={submit} submitLabel="Sign in" busyLabel="Signing in…" label="Sign in with a password">
          <Field
            form={form}
            name="username"
            label={byEmail ? 'Username or email' : 'Username'}
            value={username}
            onValue={setUsername}
            autoComplete="username webauthn"
            required
          />
          <Field
            form={form}
            name="password"
            label="Password"
            type="password"
            value={password}
            onValue={setPassword}
            autoComplete="current-password"
            required
          />
        </Form>
        <p class="links">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </div>
      <div class="card">
        <h2>Or use a passkey</h2>
        {passkeysSupported() ? <PasskeyButton form={passkey} onClick={withPasskey} /> : <p>This browser cannot use passkeys.</p>}
      </div>
      <p class="links">
        New here? <Link to="/register">Create an account</Link>
      </p>
    </>
  );
}

function PasskeyButton({ form, onClick }: { form: ReturnType<typeof useForm>; onClick: () => Promise<void> }) {
  const message =
    form.formError === messageOf(NOT_DEPLOYED) ? 'Signing in with a passkey is not available on this server.' : form.formError;
  return (
    <>
      {message && (
        <p class="form-error" role="alert">
          {message}
        </p>
      )}
      <button type="button" class="secondary" onClick={onClick} disabled={form.busy}>
        {form.busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
    </>
  );
}

const NOT_DEPLOYED = new ApiError(404, { title: 'Not found', status: 404, code: 'not-found' });

/** The second step: a code from the authenticator app, a recovery code, or a passkey. */
function SecondFactor({ methods, onDone, onCancel }: { methods: string[]; onDone: () => Promise<void>; onCancel: () => void }) {
  const hasCode = methods.includes('totp') || methods.length === 0;
  const hasPasskey = methods.includes('webauthn') || methods.includes('passkey');
  const [mode, setMode] = useState<'code' | 'recovery'>(hasCode ? 'code' : 'recovery');
  const form = useForm(['code', 'recoveryCode'], { fieldOf: { 'invalid-code': mode === 'code' ? 'code' : 'recoveryCode' } });
  const passkey = useForm([]);
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const finish = async (answer: LoginAnswer | undefined) => {
    if (answer) await onDone();
  };
  const submit = async () => {
    if (mode === 'code') {
      const trimmed = code.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(trimmed)) return form.fail({ code: 'Enter the 6-digit code from your authenticator app.' });
      await finish(await form.run(() => api.loginMfa({ code: trimmed })));
    } else {
      if (!recoveryCode.trim()) return form.fail({ recoveryCode: 'Enter one of your recovery codes.' });
      await finish(await form.run(() => api.loginMfa({ recoveryCode: recoveryCode.trim() })));
    }
  };
  const withPasskey = async () => {
    await finish(
      await passkey.run(async () => {
        const options = await api.loginMfaWebauthnOptions();
        return api.loginMfa({ webauthn: await authenticateWithPasskey(options) });
      }),
    );
  };
  const cancel = async () => {
    await api.logOut().catch(() => undefined); // drops the half-done session
    onCancel();
  };
  const expired = form.formError && /not signed in|session has ended/i.test(form.formError);
  return (
    <>
      <div class="card">
        <p>Your account has a second factor. Finish signing in with it.</p>
        {expired && (
          <p class="form-error" role="alert">
            Too much time has passed.{' '}
            <button type="button" class="link-button" onClick={cancel}>
              Start again
            </button>
          </p>
        )}
        <Form
          form={form}
          onSubmit={submit}
          submitLabel="Continue"
          busyLabel="Checking…"
          label="Second factor"
          actions={
            <button type="button" class="secondary" onClick={cancel}>
              Cancel
            </button>
          }
        >
          {mode === 'code' ? (
            <Field
              key="code"
              form={form}
              name="code"
              label="Code from your authenticator app"
              value={code}
              onValue={setCode}
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={8}
              required
            />
          ) : (
            <Field
              key="recovery"
              form={form}
              name="recoveryCode"
              label="Recovery code"
              hint="One of the codes you saved when you set up the second factor. Each works once."
              value={recoveryCode}
              onValue={setRecoveryCode}
              autoComplete="off"
              required
            />
          )}
        </Form>
        {hasCode && (
          <p class="links">
            <button type="button" class="link-button" onClick={() => setMode(mode === 'code' ? 'recovery' : 'code')}>
              {mode === 'code' ? 'Use a recovery code instead' : 'Use a code from the app instead'}
            </button>
          </p>
        )}
      </div>
      {hasPasskey && passkeysSupported() && (
        <div class="card">
          <h2>Or use a passkey</h2>
          <PasskeyButton form={passkey} onClick={withPasskey} />
        </div>
      )}
    </>
  );
}
