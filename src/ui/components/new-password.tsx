import { useState } from 'preact/hooks';
import { Field, type FormState } from './form.js';

const HINT = 'At least 8 characters; a long phrase is best.';

/**
 * A new password typed twice, as every form that sets one asks for it (registration, reset, change). `name` is
 * the field the service names in its answer (`password` or `newPassword`), so its errors land on this input.
 */
export function useNewPassword(name: string, label: string) {
  const [value, setValue] = useState('');
  const [again, setAgain] = useState('');
  return {
    value,
    /** The pair's errors before sending: the password missing (`Enter <missing>.`), or the two not the same. */
    check(missing: string): Record<string, string> {
      if (!value.trim()) return { [name]: `Enter ${missing}.` };
      return again === value ? {} : { confirm: 'The two passwords are not the same.' };
    },
    clear() {
      setValue('');
      setAgain('');
    },
    fields: (form: FormState) => (
      <>
        <Field
          form={form}
          name={name}
          label={label}
          hint={HINT}
          type="password"
          value={value}
          onValue={setValue}
          autoComplete="new-password"
          required
        />
        <Field
          form={form}
          name="confirm"
          label={`${label} again`}
          type="password"
          value={again}
          onValue={setAgain}
          autoComplete="new-password"
          required
        />
      </>
    ),
  };
}
