import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthenticated, type User } from './api.js';
import { AuthContext, type Auth } from './auth.js';
import { Layout, Page } from './components/layout.js';
import { Account } from './pages/account.js';
import { MyActivity } from './pages/activity.js';
import { AdminUser } from './pages/admin-user.js';
import { AdminUsers } from './pages/admin-users.js';
import { AuditTrail } from './pages/audit.js';
import { ForgotPassword, ResetPassword, VerifyEmail } from './pages/recovery.js';
import { Register } from './pages/register.js';
import { SecondFactorPage } from './pages/security.js';
import { MySessions } from './pages/sessions.js';
import { SignIn } from './pages/sign-in.js';
import { Link, match, navigate, rememberReturn, takeReturn, useRoute } from './router.js';

/** Pages anyone may open, signed in or not. */
const OPEN = new Set(['/forgot-password', '/reset-password', '/verify-email']);
/** Pages for signed-out visitors: a signed-in one goes to the account instead. */
const SIGNED_OUT = new Set(['/sign-in', '/register']);

function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState<string>();
  const route = useRoute();

  const refresh = async () => {
    try {
      const me = await api.me();
      setUser(me);
      return me;
    } catch (error) {
      // 401: signed out (or a half-done sign-in); anything else: treat as signed out but say so on the page.
      if (!(error instanceof ApiError && error.status === 401)) setNotice('The service could not be reached. Try again in a moment.');
      setUser(null);
      return null;
    }
  };
  const auth: Auth = {
    user,
    refresh,
    notice,
    clearNotice: () => setNotice(undefined),
    signedOut(message) {
      setUser(null);
      setNotice(message);
      navigate('/sign-in', { replace: true });
    },
  };

  useEffect(() => {
    void refresh();
    // Any request that finds the session gone (ended elsewhere, account disabled or deleted) falls back to sign-in.
    const stop = onUnauthenticated(() => auth.signedOut('Your session has ended. Please sign in again.'));
    // Coming back to the tab re-checks the session: an open page does not go on showing an ended one.
    const recheck = () => {
      if (document.visibilityState === 'visible') void recheckSession();
    };
    document.addEventListener('visibilitychange', recheck);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', recheck);
    };
  }, []);

  const recheckSession = async () => {
    try {
      await api.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) auth.signedOut('Your session has ended. Please sign in again.');
    }
  };

  useEffect(() => {
    if (user === undefined) return;
    if (route === '/') navigate(user ? '/account' : '/sign-in', { replace: true });
    // Signed in (on the sign-in or registration page): on to the page the visitor first asked for, or the account.
    else if (user && SIGNED_OUT.has(route)) navigate(takeReturn() ?? '/account', { replace: true });
    else if (!user && !SIGNED_OUT.has(route) && !OPEN.has(route)) {
      rememberReturn(route + location.search);
      navigate('/sign-in', { replace: true });
    }
  }, [user, route]);

  return (
    <AuthContext.Provider value={auth}>
      <Layout>{user === undefined ? <p class="loading">Loading…</p> : <Routed route={route} user={user} />}</Layout>
    </AuthContext.Provider>
  );
}

function Routed({ route, user }: { route: string; user: User | null }) {
  if (route === '/forgot-password') return <ForgotPassword />;
  if (route === '/reset-password') return <ResetPassword />;
  if (route === '/verify-email') return <VerifyEmail />;
  if (!user) return route === '/register' ? <Register /> : <SignIn />;
  if (route === '/account') return <Account />;
  if (route === '/account/sessions') return <MySessions />;
  if (route === '/account/security') return <SecondFactorPage />;
  if (route === '/account/activity') return <MyActivity />;
  if (route.startsWith('/admin')) {
    if (user.role !== 'admin') return <NotFound />;
    if (route === '/admin/users') return <AdminUsers />;
    if (route === '/admin/audit') return <AuditTrail />;
    const detail = match('/admin/users/:id', route);
    if (detail) return <AdminUser key={detail.id} id={detail.id!} />;
  }
  if (SIGNED_OUT.has(route) || route === '/') return <p class="loading">Loading…</p>;
  return <NotFound />;
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no such page. <Link to="/account">Go to your account</Link>.
      </p>
    </Page>
  );
}

render(<App />, document.getElementById('app')!);
