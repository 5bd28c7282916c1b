import { useCallback, useEffect, useRef, useState } from 'react';
import type { Post } from '../api/types';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { joinOr, plural } from '../lib/text';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { Composer } from '../social/Composer';
import { findNewPosts, prependPosts } from '../social/newPosts';
import { PostList } from '../social/PostList';
import { useSocialApi, useTags } from '../social/SocialContext';
import { TagFilter } from '../social/TagFilter';

/** How often the feed quietly checks for new posts while the page is visible. */
export const NEW_POSTS_INTERVAL_MS = 60_000;

const PAGE_SIZE = 20;

interface Pending {
  /** The list (filter) the check was made for. */
  key: string;
  fresh: Post[];
  gap: boolean;
}

export function FeedPage() {
  const api = useSocialApi();
  const tags = useTags();
  const [filter, setFilter] = useState<string[]>([]);
  const [pending, setPending] = useState<Pending | null>(null);
  const [shownNotice, setShownNotice] = useState('');
  const listRef = useRef<HTMLOListElement>(null);

  // Filter by tags that still exist.
  const activeFilter = tags.data ? filter.filter((id) => tags.data.some((t) => t.id === id)) : filter;
  const key = activeFilter.join(',');

  const fetchPage = useCallback<FetchPage<Post>>(
    async (cursor, signal) => {
      const page = await api.feed({ cursor, limit: PAGE_SIZE, tagIds: activeFilter }, signal);
      return { items: page.posts, nextCursor: page.next_cursor };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is activeFilter's identity
    [api, key],
  );
  const list = usePagedList(key, fetchPage, (p) => p.id);

  // Checking for new posts never touches the list: it only offers to show them.
  const checking = useRef(false);
  const itemsRef = useRef(list.items);
  const statusRef = useRef(list.status);
  useEffect(() => {
    itemsRef.current = list.items;
    statusRef.current = list.status;
  });

  const check = useCallback(async () => {
    if (checking.current || statusRef.current !== 'ready') return;
    checking.current = true;
    try {
      const page = await api.feed({ limit: PAGE_SIZE, tagIds: key ? key.split(',') : [] });
      const result = findNewPosts(itemsRef.current, page.posts, page.next_cursor !== null);
      setPending(result.fresh.length > 0 ? { key, ...result } : null);
    } catch {
      // A failed background check is not worth interrupting anyone for.
    } finally {
      checking.current = false;
    }
  }, [api, key]);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') void check();
    };
    const onFocus = () => void check();
    const timer = window.setInterval(onVisible, NEW_POSTS_INTERVAL_MS);
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [check]);

  const offer = pending?.key === key ? pending : null;

  function showNew() {
    if (!offer) return;
    setPending(null);
    if (offer.gap) {
      list.reload();
    } else {
      list.update((items) => prependPosts(items, offer.fresh));
      listRef.current?.focus();
    }
    setShownNotice(`${plural(offer.fresh.length, 'new post')} shown at the top.`);
  }

  function posted(post: Post) {
    // A narrowed feed shows connections' posts only; one's own appear in the full feed.
    if (activeFilter.length === 0) list.update((items) => prependPosts(items, [post]));
  }

  const filterNames = (tags.data ?? []).filter((t) => activeFilter.includes(t.id)).map((t) => t.name);

  return (
    <Page title="Feed" width="column">
      <Composer onPosted={posted} />
      {activeFilter.length > 0 ? (
        <p className="muted composer__note">Your own posts appear in the unfiltered feed and in My posts.</p>
      ) : null}

      <section className="feed" aria-labelledby="feed-heading">
        <h2 id="feed-heading" className="section__title">
          {activeFilter.length ? `Posts from people tagged ${joinOr(filterNames)}` : 'Latest posts'}
        </h2>
        {tags.data && tags.data.length > 0 ? (
          <TagFilter
            tags={tags.data}
            selected={activeFilter}
            onChange={(ids) => {
              setFilter(ids);
              setPending(null);
            }}
          />
        ) : null}

        <div className="new-posts" aria-live="polite">
          {offer ? (
            <Button variant="secondary" className="new-posts__button" onClick={showNew}>
              {offer.gap ? 'New posts: show the latest' : `Show ${plural(offer.fresh.length, 'new post')}`}
            </Button>
          ) : (
            <span className="visually-hidden">{shownNotice}</span>
          )}
        </div>

        <PostList
          list={list}
          label="Posts, newest first"
          listRef={listRef}
          empty={
            activeFilter.length ? (
              <p>No posts yet from the people you tagged {joinOr(filterNames)}.</p>
            ) : (
              <>
                <p>Nothing here yet. Posts from you and your connections appear here, newest first.</p>
                <p>
                  <Link to="/people">Find people you know</Link> and ask to connect.
                </p>
              </>
            )
          }
        />
      </section>
    </Page>
  );
}
