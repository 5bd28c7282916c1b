import type { ReactNode, Ref } from 'react';
import type { Post } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import type { PagedList } from '../lib/usePagedList';
import { PostItem } from './PostItem';
import { useTagMap } from './SocialContext';

interface PostListProps {
  list: PagedList<Post>;
  /** Shown when there are no posts at all. */
  empty: ReactNode;
  /** What the list is, for assistive technology ("Your feed"). */
  label: string;
  linkAuthor?: boolean;
  listRef?: Ref<HTMLOListElement>;
}

/** Posts newest first, with loading, error and empty states and "Load more". */
export function PostList({ list, empty, label, linkAuthor = true, listRef }: PostListProps) {
  const { state } = useAuth();
  const tagsById = useTagMap();
  const viewerId = state.status === 'authenticated' ? state.user.id : '';

  if (list.status === 'loading') return <Loading>Loading posts…</Loading>;
  if (list.status === 'error') return <LoadError message={list.error ?? ''} onRetry={list.reload} />;

  return (
    <>
      {list.items.length === 0 ? (
        <div className="state state--empty">{empty}</div>
      ) : (
        <ol className="post-list" aria-label={label} ref={listRef} tabIndex={-1}>
          {list.items.map((post) => (
            <li key={post.id}>
              <PostItem
                post={post}
                viewerId={viewerId}
                tagsById={tagsById}
                linkAuthor={linkAuthor}
                onUpdated={(change) => list.update((items) => items.map((p) => (p.id === post.id ? change(p) : p)))}
                onDeleted={(id) => list.update((items) => items.filter((p) => p.id !== id))}
                onAuthorBlocked={(authorId) => list.update((items) => items.filter((p) => p.author.id !== authorId))}
              />
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} />
      {!list.hasMore && list.items.length > 0 ? <p className="list-end muted">That’s everything.</p> : null}
    </>
  );
}
