import { isApiError } from '../api/errors';
import type { Post } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { LoadError, Loading } from '../components/LoadState';
import { Page } from '../components/Page';
import { useLoad } from '../lib/useLoad';
import { Link } from '../router/router';
import { PostItem } from '../social/PostItem';
import { useSocialApi, useTagMap } from '../social/SocialContext';

/** One post with its comments open (/posts/<id>): where a notification about it leads. */
export function PostPage({ id }: { id: string }) {
  const api = useSocialApi();
  const { state } = useAuth();
  const tagsById = useTagMap();
  const viewerId = state.status === 'authenticated' ? state.user.id : '';

  const post = useLoad<Post | null>(id, async (signal) => {
    try {
      return await api.getPost(id, signal);
    } catch (error) {
      // Deleted, or no longer shared with the caller: the server says 404 for both.
      if (isApiError(error) && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
  });

  const title = post.data ? `@${post.data.author.username}’s post` : 'Post';

  return (
    <Page title={title} width="column">
      {post.status === 'loading' ? (
        <Loading>Loading the post…</Loading>
      ) : post.status === 'error' ? (
        <LoadError message={post.error ?? ''} onRetry={post.reload} />
      ) : !post.data ? (
        <div className="state state--empty">
          <p>This post isn’t here: it was deleted, or it is no longer shared with you.</p>
          <p>
            <Link to="/feed">Go to your feed</Link>
          </p>
        </div>
      ) : (
        <PostItem
          post={post.data}
          viewerId={viewerId}
          tagsById={tagsById}
          threadOpen
          onUpdated={(change) => post.update((p) => (p ? change(p) : p))}
          onDeleted={() => post.set(null)}
        />
      )}
    </Page>
  );
}
