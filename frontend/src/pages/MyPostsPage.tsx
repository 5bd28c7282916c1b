import { useCallback } from 'react';
import type { Post } from '../api/types';
import { Page } from '../components/Page';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { PostList } from '../social/PostList';
import { useSocialApi } from '../social/SocialContext';

export function MyPostsPage() {
  const api = useSocialApi();
  const fetchPage = useCallback<FetchPage<Post>>(
    async (cursor, signal) => {
      const page = await api.myPosts({ cursor }, signal);
      return { items: page.posts, nextCursor: page.next_cursor };
    },
    [api],
  );
  const list = usePagedList('mine', fetchPage, (p) => p.id);

  return (
    <Page
      title="My posts"
      width="column"
      intro={<p>Everything you have posted, newest first, with who can see each one.</p>}
    >
      <PostList
        list={list}
        label="Your posts, newest first"
        empty={
          <p>
            You haven’t posted anything yet. <Link to="/feed">Write your first post</Link>.
          </p>
        }
      />
    </Page>
  );
}
