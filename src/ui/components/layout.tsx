import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAuth } from '../auth.js';
import { Link } from '../router.js';

/** Header (with the navigation the caller may use), the main landmark, and a skip link to it. */
export function Layout({ children }: { children: ComponentChildren }) {
  const { user, signedOut } = useAuth();
  const [leaving, setLeaving] = useState(false);
  const signOut = async () => {
    setLeaving(true);
    try {
      await api.logOut();
    } catch {
      // The session is gone either way (ended elsewhere, or the service will time it out): forget it here too.
    } finally {
      setLeaving(false);
      signedOut('You have signed out.');
    }
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <div class="bar">
          <Link to={user ? '/account' : '/sign-in'} class="brand">
            authsvc
          </Link>
          {user && (
            <p class="who">
              Signed in as <strong>{user.username}</strong>
            </p>
          )}
        </div>
        {user && (
          <nav aria-label="Main">
            <ul>
              <li>
                <Link to="/account">My account</Link>
              </li>
              <li>
                <Link to="/account/sessions">Sessions</Link>
              </li>
              <li>
                <Link to="/account/security">Second factor</Link>
              </li>
              <li>
                <Link to="/account/activity">Activity</Link>
              </li>
              {user.role === 'admin' && (
                <>
                  <li>
                    <Link to="/admin/users">Users</Link>
                  </li>
                  <li>
                    <Link to="/admin/audit">Audit trail</Link>
                  </li>
                </>
              )}
              <li>
                <button type="button" class="link-button" onClick={signOut} disabled={leaving}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="site-footer">
        <p>
          authsvc · <a href="/docs">API documentation</a>
        </p>
      </footer>
    </>
  );
}

/** A page's heading, which takes the focus when the page opens so screen readers announce it. */
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { notice, clearNotice } = useAuth();
  const [shown] = useState(notice);
  useEffect(() => {
    document.title = `${title} · authsvc`;
    heading.current?.focus();
    if (notice) clearNotice();
  }, [title]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {shown && (
        <p class="notice" role="status">
          {shown}
        </p>
      )}
      {children}
    </>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** What a section shows when its endpoint is not deployed on this server (yet); `what` reads in a sentence. */
export function NotAvailable({ what }: { what: string }) {
  return (
    <p class="not-available" role="note">
      This server does not offer {what} yet.
    </p>
  );
}

export function Status({ message }: { message: string | undefined }) {
  return (
    <p class="status" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}
