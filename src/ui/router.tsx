import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Where the service serves the UI; every route below is relative to it. */
export const BASE = '/ui';
const CHANGED = 'ui:navigate';

/** The route: the path under /ui, always starting with '/'. */
export function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path === '' ? '/' : path.replace(/\/+$/, '') || '/';
}

let returnTo: string | undefined;

/** Where to go after signing in: the page a signed-out visitor opened, once. */
export function rememberReturn(route: string): void {
  returnTo = route;
}

export function takeReturn(): string | undefined {
  const route = returnTo;
  returnTo = undefined;
  return route;
}

export function href(route: string): string {
  return `${BASE}${route === '/' ? '/' : route}`;
}

export function navigate(route: string, options: { replace?: boolean } = {}): void {
  const url = href(route);
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGED));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return route;
}

/** Matches '/admin/users/:id' style patterns; the params come back decoded. */
export function match(pattern: string, route: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = route.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

type LinkProps = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ComponentChildren };

/** An ordinary link (middle-click and "open in new tab" work) that routes in the page on a plain click. */
export function Link({ to, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  const current = currentRoute() === to;
  return (
    <a href={href(to)} onClick={onClick} aria-current={current ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}

/**
 * Reads `token` from the URL's fragment (`#token=...`), where links in mails carry it so that it never reaches a
 * server log, a proxy or a Referer, then takes the fragment out of the address bar and the history.
 */
export function takeFragmentToken(): string | undefined {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? undefined;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return token || undefined;
}
