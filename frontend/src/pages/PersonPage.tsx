import { useCallback } from 'react';
import { isApiError } from '../api/errors';
import type { Connection, Post, Relationship, UserProfile } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Page } from '../components/Page';
import { PersonName, personLabel } from '../components/PersonName';
import { useLoad } from '../lib/useLoad';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { LoadError, Loading } from '../components/LoadState';
import { PostList } from '../social/PostList';
import { PostText } from '../social/PostText';
import { RelationshipActions } from '../social/RelationshipActions';
import { ReportAction } from '../social/ReportAction';
import { useSocialApi } from '../social/SocialContext';

type Who = { username: string } | { id: string };

function emptyText(profile: UserProfile): string {
  const name = `@${profile.user.username}`;
  switch (profile.relationship) {
    case 'self':
      return 'You haven’t posted anything yet.';
    case 'connected':
      return `${name} hasn’t shared anything with you yet.`;
    default:
      return `You’ll see what ${name} shares with you once you are connected.`;
  }
}

function PersonPosts({ profile }: { profile: UserProfile }) {
  const api = useSocialApi();
  const id = profile.user.id;
  const fetchPage = useCallback<FetchPage<Post>>(
    async (cursor, signal) => {
      const page = await api.userPosts(id, { cursor }, signal);
      return { items: page.posts, nextCursor: page.next_cursor };
    },
    [api, id],
  );
  // What one may see depends on the relationship: load again when it changes.
  const list = usePagedList(`${id}:${profile.relationship}`, fetchPage, (p) => p.id);
  return (
    <section className="section section--plain" aria-labelledby="person-posts">
      <h2 id="person-posts" className="section__title">
        {profile.relationship === 'self' ? 'Your posts' : 'Posts you can see'}
      </h2>
      <PostList
        list={list}
        label={`Posts by @${profile.user.username}`}
        linkAuthor={false}
        empty={<p>{emptyText(profile)}</p>}
      />
    </section>
  );
}

/**
 * A person's page (/u/<username> or /people/<id>): the relationship, its
 * buttons (blocking among them), "Report" (not on one's own) and their
 * visible posts.
 */
export function PersonPage({ who }: { who: Who }) {
  const api = useSocialApi();
  const { state } = useAuth();
  const me = state.status === 'authenticated' ? state.user : null;
  const key = 'id' in who ? `id:${who.id}` : `u:${who.username.toLowerCase()}`;

  const profile = useLoad<UserProfile | null>(key, async (signal) => {
    let id: string;
    if ('id' in who) {
      id = who.id;
    } else {
      const wanted = who.username.replace(/^@/, '').toLowerCase();
      if (me && wanted === me.username.toLowerCase()) {
        id = me.id;
      } else {
        const found = (await api.searchUsers(wanted, signal)).find((u) => u.username.toLowerCase() === wanted);
        if (!found) return null;
        id = found.id;
      }
    }
    try {
      return await api.getUser(id, signal);
    } catch (error) {
      // Unknown and malformed ids both mean: no such person (for this caller).
      if (isApiError(error) && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
  });

  const person = profile.data?.user;
  // The username, not the display name: the title must not change (and move focus) when the name appears.
  const title =
    person !== undefined
      ? `@${person.username}`
      : 'username' in who
        ? `@${who.username.replace(/^@/, '').toLowerCase()}`
        : 'Person';

  function changed(relationship: Relationship, connection?: Connection) {
    if (!profile.data) return;
    const connected = relationship === 'connected';
    profile.set({
      ...profile.data,
      relationship,
      connected_at: connected ? (connection?.connected_at ?? profile.data.connected_at) : null,
      // The bio is for connections only.
      bio: connected ? profile.data.bio : null,
    });
    // What else the server now shows (their display name, their bio), read quietly in place.
    api.getUser(profile.data.user.id).then(
      (fresh) => profile.update((shown) => (shown ? { ...shown, user: fresh.user, bio: fresh.bio ?? null } : shown)),
      () => undefined,
    );
  }

  return (
    <Page title={title} heading={person ? <PersonName user={person} /> : undefined} width="column">
      {profile.status === 'loading' ? (
        <Loading />
      ) : profile.status === 'error' ? (
        <LoadError message={profile.error ?? ''} onRetry={profile.reload} />
      ) : profile.data === null || profile.data === undefined ? (
        <div className="state state--empty">
          <p>There is no one with that username here. Usernames are exact: check the spelling with the person.</p>
          <p>
            <Link to="/people">Search again</Link>
          </p>
        </div>
      ) : (
        <>
          <div className="panel person">
            {profile.data.bio ? (
              <section className="person__bio" aria-labelledby="person-bio">
                <h2 id="person-bio" className="visually-hidden">
                  About {personLabel(profile.data.user)}
                </h2>
                <PostText text={profile.data.bio} />
              </section>
            ) : null}
            <RelationshipActions
              user={profile.data.user}
              relationship={profile.data.relationship}
              connectedAt={profile.data.connected_at}
              onChange={changed}
              onReload={profile.reload}
              blockable
            />
            {profile.data.relationship === 'self' ? null : (
              <div className="person__report">
                <ReportAction
                  target={{ type: 'user', id: profile.data.user.id }}
                  subject={profile.data.user}
                  ariaLabel={`Report @${profile.data.user.username}`}
                  blockable={profile.data.relationship !== 'blocked'}
                  onBlocked={() => changed('blocked')}
                />
              </div>
            )}
          </div>
          {/* Blocked: not connected, so there is nothing of theirs to see (nor a promise of it). */}
          {profile.data.relationship === 'blocked' ? null : <PersonPosts profile={profile.data} />}
        </>
      )}
    </Page>
  );
}
