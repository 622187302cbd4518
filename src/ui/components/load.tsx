import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { messageOf } from '../messages.js';
import { NotAvailable } from './layout.js';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'failed'; message: string };

/** Loads once per change of `deps`; `reload()` loads again (after a change made on the page). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): [Loaded<T>, () => void, (value: T) => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setResult({ state: 'ready', value }),
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.notDeployed) setResult({ state: 'unavailable' });
        else setResult({ state: 'failed', message: messageOf(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return [result, () => setRound((n) => n + 1), (value: T) => setResult({ state: 'ready', value })];
}

/** Renders a load's outcome: its value, or a line saying it is loading, failed, or not available. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (value: T) => ComponentChildren }) {
  switch (loaded.state) {
    case 'loading':
      return <p class="loading">Loading…</p>;
    case 'unavailable':
      return <NotAvailable what={what} />;
    case 'failed':
      return (
        <p class="form-error" role="alert">
          {loaded.message}
        </p>
      );
    case 'ready':
      return <>{children(loaded.value)}</>;
  }
}
