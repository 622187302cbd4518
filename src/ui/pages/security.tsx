import { useState } from 'preact/hooks';
import { api, type Passkey, type TotpEnrolment } from '../api.js';
import { Field, Form, useForm } from '../components/form.js';
import { NotAvailable, Page, Section, Status } from '../components/layout.js';
import { useServed } from '../features.js';
import { Show, useLoad } from '../components/load.js';
import { useReauth } from '../components/reauth.js';
import { formatTime, messageOf } from '../messages.js';
import { createPasskey, passkeysSupported } from '../webauthn.js';

export function SecondFactorPage() {
  const reauth = useReauth();
  const [codes, setCodes] = useState<string[]>();
  // Bumped whenever a factor is switched on or off, so the recovery-code section asks GET /mfa again.
  const [factors, setFactors] = useState(0);
  const changed = () => setFactors((n) => n + 1);
  return (
    <Page title="Second factor">
      <p>A second factor keeps your account safe when someone learns your password: an authenticator app, a passkey, or both.</p>
      {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(undefined)} />}
      <AuthenticatorApp guard={reauth.guard} onCodes={setCodes} onChange={changed} />
      <RecoveryCodeSection guard={reauth.guard} onCodes={setCodes} factors={factors} />
      <Passkeys guard={reauth.guard} onChange={changed} />
      {reauth.dialog}
    </Page>
  );
}

type Guard = ReturnType<typeof useReauth>['guard'];

interface FactorProps {
  guard: Guard;
  /** Called once a factor has been switched on or off. */
  onChange: () => void;
}

function AuthenticatorApp({ guard, onCodes, onChange }: FactorProps & { onCodes: (codes: string[]) => void }) {
  const served = useServed('/mfa/totp');
  return (
    <Section title="Authenticator app">
      {served === false ? (
        <NotAvailable what="codes from an authenticator app" />
      ) : (
        served && <Totp guard={guard} onCodes={onCodes} onChange={onChange} />
      )}
    </Section>
  );
}

function Totp({ guard, onCodes, onChange }: FactorProps & { onCodes: (codes: string[]) => void }) {
  const start = useForm([]);
  const confirm = useForm(['code'], { fieldOf: { 'invalid-code': 'code' } });
  const off = useForm([]);
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [code, setCode] = useState('');
  const [status, setStatus] = useState<string>();
  const [confirmOff, setConfirmOff] = useState(false);
  const [loaded, , setLoaded] = useLoad(() => api.mfaStatus());
  const setOn = (totp: boolean) =>
    setLoaded({ ...(loaded.state === 'ready' ? loaded.value : { passkeys: 0, recoveryCodesRemaining: 0 }), totp });
  const begin = async () => {
    setStatus(undefined);
    const answer = await start.run(() => guard(() => api.enrolTotp()));
    if (answer) setEnrolment(answer);
  };
  const finish = async () => {
    const digits = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(digits)) return confirm.fail({ code: 'Enter the 6-digit code the app shows.' });
    const answer = await confirm.run(() => guard(() => api.confirmTotp(digits)));
    if (!answer) return;
    setEnrolment(undefined);
    setCode('');
    setOn(true);
    onChange();
    setStatus('The authenticator app is set up. From now on, signing in asks for a code from it.');
    onCodes(answer.recoveryCodes);
  };
  const turnOff = async () => {
    if (await off.run(async () => (await guard(() => api.disableTotp()), true))) {
      setConfirmOff(false);
      setOn(false);
      onChange();
      setStatus('The authenticator app is turned off.');
    }
  };
  // Whether codes are on, from GET /mfa. Until it answers neither button shows; should it fail, both do, and the
  // service says which one does not apply.
  const on = loaded.state === 'ready' ? loaded.value.totp : undefined;
  const known = loaded.state === 'ready' || loaded.state === 'loading';
  return (
    <>
      <Status message={status} />
      {!enrolment ? (
        <>
          {on === true ? (
            <p>
              <strong>On.</strong> Signing in asks for a 6-digit code from your authenticator app.
            </p>
          ) : (
            <p>Use an app such as a password manager or an authenticator to get a new 6-digit code every 30 seconds.</p>
          )}
          {loaded.state === 'loading' && <p class="loading">Loading…</p>}
          {start.formError && (
            <p class="form-error" role="alert">
              {start.formError}
            </p>
          )}
          <div class="actions">
            {(on === false || !known) && (
              <button type="button" onClick={begin} disabled={start.busy}>
                {start.busy ? 'Starting…' : 'Set up an authenticator app'}
              </button>
            )}
            {(on === true || !known) && !confirmOff ? (
              <button type="button" class="secondary" onClick={() => setConfirmOff(true)}>
                Turn off the authenticator app
              </button>
            ) : null}
          </div>
          {confirmOff && (
            <div class="confirm" role="group" aria-labelledby="totp-off-q">
              <p id="totp-off-q">Turn off codes from the authenticator app? Signing in will no longer ask for them.</p>
              {off.formError && (
                <p class="form-error" role="alert">
                  {off.formError}
                </p>
              )}
              <div class="actions">
                <button type="button" class="danger" onClick={turnOff} disabled={off.busy}>
                  Yes, turn it off
                </button>
                <button type="button" class="secondary" onClick={() => setConfirmOff(false)}>
                  Keep it
                </button>
              </div>
            </div>
          )}
        </>
      ) : (
        <>
          <ol class="steps">
            <li>
              Scan this QR code with the app:
              <img
                class="qr"
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
                alt="QR code holding the secret for your authenticator app"
                width={200}
                height={200}
              />
            </li>
            <li>
              Or type this key into the app: <code class="secret">{groupSecret(enrolment.secret)}</code>
            </li>
            <li>Enter the code the app now shows, to prove it works.</li>
          </ol>
          <Form
            form={confirm}
            onSubmit={finish}
            submitLabel="Turn on"
            busyLabel="Checking…"
            label="Confirm the authenticator app"
            actions={
              <button type="button" class="secondary" onClick={() => setEnrolment(undefined)}>
                Cancel
              </button>
            }
          >
            <Field
              form={confirm}
              name="code"
              id="totp-code"
              label="Code from the app"
              value={code}
              onValue={setCode}
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={8}
              required
            />
          </Form>
        </>
      )}
    </>
  );
}

const groupSecret = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here: select the codes and copy them.');
    }
  };
  return (
    <Section title="Your recovery codes">
      <p>
        <strong>Save these codes now: they are shown only once.</strong> Each one signs you in once if you lose your authenticator app or
        passkey.
      </p>
      <ol class="codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <Status message={copied} />
      <div class="actions">
        <button type="button" class="secondary" onClick={copy}>
          Copy the codes
        </button>
        <button type="button" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </Section>
  );
}

interface RecoveryCodeProps {
  guard: Guard;
  onCodes: (codes: string[]) => void;
  /** Changes whenever a factor was switched on or off. */
  factors: number;
}

function RecoveryCodeSection(props: RecoveryCodeProps) {
  const served = useServed('/mfa/recovery-codes');
  if (served === false) {
    return (
      <Section title="Recovery codes">
        <NotAvailable what="recovery codes" />
      </Section>
    );
  }
  return served ? <RecoveryCodeForm {...props} /> : null;
}

function RecoveryCodeForm({ guard, onCodes, factors }: RecoveryCodeProps) {
  const form = useForm([]);
  const [asking, setAsking] = useState(false);
  // Recovery codes stand in for a second factor: with none on, the service refuses new ones (409), so the
  // button is not offered. Until GET /mfa answers (or should it fail) the button shows, and the service decides.
  const [status] = useLoad(() => api.mfaStatus(), [factors]);
  const noFactor = status.state === 'ready' && !status.value.totp && status.value.passkeys === 0;
  const regenerate = async () => {
    const answer = await form.run(() => guard(() => api.regenerateRecoveryCodes()));
    if (answer) {
      setAsking(false);
      onCodes(answer.recoveryCodes);
    }
  };
  return (
    <Section title="Recovery codes">
      <p>If you lost your recovery codes or used most of them, make a new set. The old codes stop working.</p>
      {form.formError && (
        <p class="form-error" role="alert">
          {form.formError}
        </p>
      )}
      {noFactor ? (
        <p>Recovery codes come with a second factor: set up an authenticator app or add a passkey first.</p>
      ) : !asking ? (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Make new recovery codes
        </button>
      ) : (
        <div class="confirm" role="group" aria-labelledby="codes-q">
          <p id="codes-q">Make new codes? Your current recovery codes will stop working.</p>
          <div class="actions">
            <button type="button" class="danger" onClick={regenerate} disabled={form.busy}>
              Yes, make new codes
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </Section>
  );
}

function Passkeys({ guard, onChange }: FactorProps) {
  const [loaded, reload] = useLoad(() => api.passkeys());
  const add = useForm(['name']);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<string>();
  const [removing, setRemoving] = useState<Passkey>();
  const [removeError, setRemoveError] = useState<string>();
  const submit = async () => {
    setStatus(undefined);
    const label = name.trim() || 'Passkey';
    const created = await add.run(() =>
      guard(async () => {
        const options = await api.passkeyRegistrationOptions();
        return api.registerPasskey(await createPasskey(options), label);
      }),
    );
    if (created) {
      setName('');
      setStatus(`The passkey “${created.name ?? label}” has been added.`);
      reload();
      onChange();
    }
  };
  const remove = async (passkey: Passkey) => {
    setRemoveError(undefined);
    try {
      await guard(() => api.deletePasskey(passkey.id));
      setRemoving(undefined);
      setStatus(`The passkey “${passkey.name}” has been removed.`);
      reload();
      onChange();
    } catch (e) {
      setRemoveError(messageOf(e));
    }
  };
  return (
    <Section title="Passkeys">
      <Status message={status} />
      <Show loaded={loaded} what="passkeys">
        {(passkeys) => (
          <>
            {passkeys.length === 0 ? (
              <p>No passkeys yet. A passkey signs you in with your device's screen lock or a security key, without a password.</p>
            ) : (
              <ul class="items">
                {passkeys.map((p) => (
                  <li key={p.id}>
                    <p class="item-title">{p.name}</p>
                    <dl class="facts compact">
                      <dt>Added</dt>
                      <dd>{formatTime(p.createdAt)}</dd>
                      {p.lastUsedAt && (
                        <>
                          <dt>Last used</dt>
                          <dd>{formatTime(p.lastUsedAt)}</dd>
                        </>
                      )}
                    </dl>
                    {removing?.id === p.id ? (
                      <div class="confirm" role="group" aria-label={`Remove ${p.name}?`}>
                        <p>Remove “{p.name}”? It will no longer sign you in.</p>
                        {removeError && (
                          <p class="form-error" role="alert">
                            {removeError}
                          </p>
                        )}
                        <div class="actions">
                          <button type="button" class="danger" onClick={() => remove(p)}>
                            Yes, remove it
                          </button>
                          <button type="button" class="secondary" onClick={() => setRemoving(undefined)}>
                            Keep it
                          </button>
                        </div>
                      </div>
                    ) : (
                      <button type="button" class="secondary" onClick={() => setRemoving(p)} aria-label={`Remove passkey ${p.name}`}>
                        Remove
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {passkeysSupported() ? (
              <Form form={add} onSubmit={submit} submitLabel="Add a passkey" busyLabel="Waiting for your device…" label="Add a passkey">
                <Field
                  form={add}
                  name="name"
                  id="passkey-name"
                  label="Name for the new passkey"
                  hint="So you can tell your passkeys apart, e.g. “Work laptop”."
                  value={name}
                  onValue={setName}
                  maxLength={64}
                />
              </Form>
            ) : (
              <p>This browser cannot create passkeys.</p>
            )}
          </>
        )}
      </Show>
    </Section>
  );
}
