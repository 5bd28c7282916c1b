import type { ReactNode } from 'react';
import { authApi as defaultAuthApi, type AuthApi } from './api';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { HOME_PATH, Loading, PublicOnly, RequireAuth, SIGN_IN_PATH } from './auth/guards';
import { AccountPage } from './pages/AccountPage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';
import { Link, Redirect, Router, useLocation } from './router/router';

function Home() {
  const { state } = useAuth();
  if (state.status === 'loading') return <Loading />;
  return <Redirect to={state.status === 'authenticated' ? HOME_PATH : SIGN_IN_PATH} />;
}

function routeFor(pathname: string): ReactNode {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case '/':
      return <Home />;
    case SIGN_IN_PATH:
      return (
        <PublicOnly>
          <SignInPage />
        </PublicOnly>
      );
    case '/sign-up':
      return (
        <PublicOnly>
          <SignUpPage />
        </PublicOnly>
      );
    case '/forgot-password':
      return (
        <PublicOnly>
          <ForgotPasswordPage />
        </PublicOnly>
      );
    case HOME_PATH:
      return (
        <RequireAuth>
          <AccountPage />
        </RequireAuth>
      );
    default:
      return <NotFoundPage />;
  }
}

function Shell() {
  const { pathname } = useLocation();
  return (
    <div className="app">
      <header className="site-header">
        <Link to="/" className="brand">
          <img src="/icon.svg" alt="" width={28} height={28} className="brand__mark" />
          Intentional Social
        </Link>
      </header>
      {/* Keyed by path so each screen starts with fresh state. */}
      <main id="main" className="site-main" key={pathname}>
        {routeFor(pathname)}
      </main>
    </div>
  );
}

export function App({ api = defaultAuthApi }: { api?: AuthApi }) {
  return (
    <AuthProvider api={api}>
      <Router>
        <Shell />
      </Router>
    </AuthProvider>
  );
}
