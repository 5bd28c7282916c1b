import { lazy, Suspense, type ReactNode } from 'react';
import { authApi as defaultAuthApi, type AuthApi } from './api';
import { SESSION_MARKER_KEY } from './api/client';
import { AuthProvider, useAuth } from './auth/AuthContext';
import {
  GOODBYE_PATH,
  HOME_PATH,
  Loading,
  PublicOnly,
  RequireAuth,
  RequireOperator,
  SIGN_IN_PATH,
} from './auth/guards';
import { Nav } from './components/Nav';
import { TabBar } from './components/TabBar';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { GoodbyePage } from './pages/GoodbyePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';
import { JoinPage, SignUpPage } from './pages/SignUpPage';
import { Link, Redirect, Router, useLocation } from './router/router';
import { SocialProvider } from './social/SocialContext';

// The signed-in screens load on demand: the first screen (sign in) stays small.
const importFeedPage = () => import('./pages/FeedPage');
// The feed is where a signed-in person lands. When this load may be theirs
// (the feed's address, or the home page with a session marker), its code
// starts loading now, beside the session's refresh, instead of after it:
// Lighthouse found the feed's first paint waiting on both, one after the other.
if (shouldPrefetchFeed()) void importFeedPage().catch(() => undefined);
const FeedPage = lazy(() => importFeedPage().then((m) => ({ default: m.FeedPage })));
const MyPostsPage = lazy(() => import('./pages/MyPostsPage').then((m) => ({ default: m.MyPostsPage })));
const PeoplePage = lazy(() => import('./pages/PeoplePage').then((m) => ({ default: m.PeoplePage })));
const PersonPage = lazy(() => import('./pages/PersonPage').then((m) => ({ default: m.PersonPage })));
const RequestsPage = lazy(() => import('./pages/RequestsPage').then((m) => ({ default: m.RequestsPage })));
const ConnectionsPage = lazy(() => import('./pages/ConnectionsPage').then((m) => ({ default: m.ConnectionsPage })));
const TagsPage = lazy(() => import('./pages/TagsPage').then((m) => ({ default: m.TagsPage })));
const AccountPage = lazy(() => import('./pages/AccountPage').then((m) => ({ default: m.AccountPage })));
const ProfilePage = lazy(() => import('./pages/ProfilePage').then((m) => ({ default: m.ProfilePage })));
const NotificationsPage = lazy(() =>
  import('./pages/NotificationsPage').then((m) => ({ default: m.NotificationsPage })),
);
const PostPage = lazy(() => import('./pages/PostPage').then((m) => ({ default: m.PostPage })));
const ModerationPage = lazy(() => import('./pages/ModerationPage').then((m) => ({ default: m.ModerationPage })));

function shouldPrefetchFeed(): boolean {
  if (typeof window === 'undefined') return false;
  const path = window.location.pathname;
  if (path === '/feed') return true;
  try {
    return path === '/' && window.localStorage.getItem(SESSION_MARKER_KEY) !== null;
  } catch {
    return false;
  }
}

function Home() {
  const { state } = useAuth();
  if (state.status === 'loading') return <Loading />;
  return <Redirect to={state.status === 'authenticated' ? HOME_PATH : SIGN_IN_PATH} />;
}

function signedIn(screen: ReactNode): ReactNode {
  return (
    <RequireAuth>
      <Suspense fallback={<Loading />}>{screen}</Suspense>
    </RequireAuth>
  );
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
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
    case '/join':
      // The link in an invitation email.
      return (
        <PublicOnly>
          <JoinPage />
        </PublicOnly>
      );
    case GOODBYE_PATH:
      // No guard: whoever is (or is no longer) signed in may read it.
      return <GoodbyePage />;
    case '/forgot-password':
      return (
        <PublicOnly>
          <ForgotPasswordPage />
        </PublicOnly>
      );
    case '/feed':
      return signedIn(<FeedPage />);
    case '/my-posts':
      return signedIn(<MyPostsPage />);
    case '/people':
      return signedIn(<PeoplePage />);
    case '/requests':
      return signedIn(<RequestsPage />);
    case '/connections':
      return signedIn(<ConnectionsPage />);
    case '/tags':
      return signedIn(<TagsPage />);
    case '/account':
      return signedIn(<AccountPage />);
    case '/profile':
      return signedIn(<ProfilePage />);
    case '/notifications':
      return signedIn(<NotificationsPage />);
    case '/moderation':
      return signedIn(
        <RequireOperator>
          <ModerationPage />
        </RequireOperator>,
      );
  }
  const post = /^\/posts\/([^/]+)$/.exec(path);
  const postId = post ? decode(post[1]!) : null;
  if (postId) return signedIn(<PostPage id={postId} />);
  const person = /^\/(u|people)\/([^/]+)$/.exec(path);
  const value = person ? decode(person[2]!) : null;
  if (person && value) {
    return signedIn(<PersonPage who={person[1] === 'u' ? { username: value } : { id: value }} />);
  }
  return <NotFoundPage />;
}

function Shell() {
  const { pathname } = useLocation();
  const { state } = useAuth();
  const authenticated = state.status === 'authenticated';
  return (
    <div className={authenticated ? 'app app--tabs' : 'app'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={`site-header${authenticated ? ' site-header--nav' : ''}`}>
        <Link to="/" className="brand">
          <img src="/icon.svg" alt="" width={28} height={28} className="brand__mark" />
          Intentional Social
        </Link>
        {authenticated ? <Nav /> : null}
      </header>
      {/* Keyed by path so each screen starts with fresh state. */}
      <main id="main" className="site-main" key={pathname} tabIndex={-1}>
        {routeFor(pathname)}
      </main>
      {authenticated ? <TabBar /> : null}
    </div>
  );
}

export function App({ api = defaultAuthApi }: { api?: AuthApi }) {
  return (
    <AuthProvider api={api}>
      <SocialProvider>
        <Router>
          <Shell />
        </Router>
      </SocialProvider>
    </AuthProvider>
  );
}
