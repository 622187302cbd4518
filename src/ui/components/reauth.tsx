import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { Field, Form, useForm } from './form.js';

/** The person closed the password prompt: the change they asked for is not made. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled: nothing was changed.');
    this.name = 'Cancelled';
  }
}

const needsReauth = (e: unknown) => e instanceof ApiError && e.code === 'reauthentication-required';

/**
 * Changes to the second factor, one's own address and one's own password need a recent sign-in. When the service asks for one, this
 * shows a password prompt in a modal dialog and, once the password is confirmed, repeats the change.
 */
export function useReauth() {
  const [asking, setAsking] = useState<{ resolve: () => void; reject: (e: Error) => void }>();
  const guard = async <T,>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!needsReauth(error)) throw error;
      await new Promise<void>((resolve, reject) => setAsking({ resolve, reject }));
      return work();
    }
  };
  const dialog = asking ? (
    <ReauthDialog
      onDone={() => {
        asking.resolve();
        setAsking(undefined);
      }}
      onCancel={() => {
        asking.reject(new Cancelled());
        setAsking(undefined);
      }}
    />
  ) : null;
  return { guard, dialog };
}

function ReauthDialog({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const form = useForm(['password']);
  const [password, setPassword] = useState('');
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => opener?.focus(); // focus goes back to the button that asked
  }, []);
  const submit = async () => {
    if (!password) return form.fail({ password: 'Enter your password.' });
    if (await form.run(async () => (await api.reauthenticate(password), true))) onDone();
  };
  return (
    <dialog
      ref={ref}
      aria-labelledby="reauth-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="reauth-title">Confirm it is you</h2>
      <p>This change needs your password again.</p>
      <Form
        form={form}
        onSubmit={submit}
        submitLabel="Confirm"
        busyLabel="Checking…"
        actions={
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        }
      >
        <Field
          form={form}
          name="password"
          id="reauth-password"
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
      </Form>
    </dialog>
  );
}
