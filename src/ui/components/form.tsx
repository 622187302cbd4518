import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { hasOwnWords, messageOf, sentence } from '../messages.js';

export interface FormState {
  busy: boolean;
  /** Reasons by field name, from the service's problem (`errors[].field`) or checks made here. */
  errors: Record<string, string>;
  /** What is wrong with the request as a whole, or with fields this form does not show. */
  formError: string | undefined;
  /** Bumped on each failure, so that focus moves to the first problem even when the text did not change. */
  failures: number;
  /** Runs `work`, showing its failure; resolves to its result, or undefined when it failed. */
  run<T>(work: () => Promise<T>): Promise<T | undefined>;
  fail(errors: Record<string, string>, formError?: string): void;
  reset(): void;
}

/**
 * The state of one form. `fields` are the names of the inputs it shows: the service's field errors for them go
 * next to the input, the others into the message above the form, so that none is lost. `fieldOf` maps an error
 * code that names no field to the field it is about (a wrong one-time code).
 */
export function useForm(fields: readonly string[], options: { fieldOf?: Record<string, string> } = {}): FormState {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [failures, setFailures] = useState(0);
  const fail = (next: Record<string, string>, message?: string) => {
    setErrors(next);
    setFormError(message);
    setFailures((n) => n + 1);
  };
  return {
    busy,
    errors,
    formError,
    failures,
    fail,
    reset() {
      setErrors({});
      setFormError(undefined);
    },
    async run(work) {
      setBusy(true);
      setErrors({});
      setFormError(undefined);
      try {
        return await work();
      } catch (error) {
        const [byField, rest] = splitIssues(error, fields);
        // Some failures name no field but can only be about one (a wrong one-time code): show them there.
        const owner = error instanceof ApiError && error.code ? options.fieldOf?.[error.code] : undefined;
        if (owner && fields.includes(owner) && !byField[owner]) byField[owner] = messageOf(error);
        // A field the form does not show (the token of a mailed link): the words for the error's code say it, or else
        // the service's own reason does, so that nothing is lost.
        const unplaced = hasOwnWords(error) ? [] : rest.map((issue) => `${issue.field}: ${issue.reason}`);
        const general = Object.keys(byField).length > 0 && rest.length === 0 ? undefined : messageOf(error);
        fail(byField, [general, ...unplaced].filter(Boolean).join(' ') || undefined);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}

function splitIssues(error: unknown, fields: readonly string[]): [Record<string, string>, { field: string; reason: string }[]] {
  const byField: Record<string, string> = {};
  const rest: { field: string; reason: string }[] = [];
  if (!(error instanceof ApiError)) return [byField, rest];
  for (const issue of error.problem.errors ?? []) {
    // Some reasons repeat the field's name ("currentPassword: does not match..."): the label already says it.
    const reason = issue.reason.startsWith(`${issue.field}: `) ? issue.reason.slice(issue.field.length + 2) : issue.reason;
    if (fields.includes(issue.field)) byField[issue.field] ??= sentence(reason);
    else rest.push(issue);
  }
  return [byField, rest];
}

interface FormProps {
  form: FormState;
  onSubmit: () => void | Promise<void>;
  submitLabel: string;
  busyLabel?: string;
  /** Names the form for assistive technology when a page has several. */
  label?: string;
  children?: ComponentChildren;
  /** More buttons next to the submit button. */
  actions?: ComponentChildren;
  danger?: boolean;
}

/** A form whose failures move focus to the first field in error, or to the message above it. */
export function Form({ form, onSubmit, submitLabel, busyLabel, label, children, actions, danger }: FormProps) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (form.failures === 0 || !ref.current) return;
    const target = ref.current.querySelector<HTMLElement>('[aria-invalid="true"]') ?? ref.current.querySelector<HTMLElement>('.form-error');
    target?.focus();
  }, [form.failures]);
  const submit = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!form.busy) void onSubmit();
  };
  return (
    <form ref={ref} onSubmit={submit} aria-label={label} noValidate>
      {form.formError && (
        <p class="form-error" role="alert" tabIndex={-1}>
          {form.formError}
        </p>
      )}
      {children}
      <div class="actions">
        <button type="submit" class={danger ? 'danger' : undefined} disabled={form.busy} aria-disabled={form.busy}>
          {form.busy ? (busyLabel ?? 'Please wait…') : submitLabel}
        </button>
        {actions}
      </div>
    </form>
  );
}

interface FieldProps {
  form: FormState;
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: string;
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  inputMode?: 'numeric' | 'text' | 'email';
  /** A stable id when one page has two fields of the same name. */
  id?: string;
  maxLength?: number;
  pattern?: string;
}

/** A labelled input with its hint and its error, both tied to it for screen readers. */
export function Field(props: FieldProps) {
  const id = props.id ?? `field-${props.name}`;
  const error = props.form.errors[props.name];
  const described = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        required={props.required}
        aria-required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        maxLength={props.maxLength}
        spellcheck={false}
        autoCapitalize="off"
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

/** Checks made before sending: the service checks again, these only save a round trip. */
export function required(values: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, label] of Object.entries(labels)) if (!values[name]?.trim()) errors[name] = `Enter ${label}.`;
  return errors;
}
