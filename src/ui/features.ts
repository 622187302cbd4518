import { useEffect, useState } from 'preact/hooks';

// What this server offers, read once from its published OpenAPI document: parts of the UI whose endpoints are not
// deployed are left out instead of failing when used.
let paths: Promise<Set<string>> | undefined;

export function servedPaths(): Promise<Set<string>> {
  paths ??= fetch('/openapi.json', { headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : {}))
    .then((doc: { paths?: Record<string, unknown> }) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => new Set<string>());
  return paths;
}

/** Whether the server publishes `path`; undefined until known. */
export function useServed(path: string): boolean | undefined {
  const [served, setServed] = useState<boolean>();
  useEffect(() => {
    let live = true;
    void servedPaths().then((paths) => live && setServed(paths.has(path)));
    return () => {
      live = false;
    };
  }, [path]);
  return served;
}
