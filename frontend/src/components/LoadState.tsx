import type { ReactNode } from 'react';
import type { PagedList } from '../lib/usePagedList';
import { FormError, InlineError } from './Alerts';
import { Button } from './Button';

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p className="state state--loading" role="status">
      {children}
    </p>
  );
}

export function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="state state--error">
      <FormError message={message} />
      <Button variant="secondary" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

interface MoreProps {
  list: Pick<PagedList<unknown>, 'hasMore' | 'loadingMore' | 'moreError' | 'loadMore'>;
  label?: string;
  /** Smaller, inside a post (comments, who reacted). */
  small?: boolean;
}

/** "Load more" while a paged list has more, with the error of a failed page beside it. */
export function LoadMore({ list, label = 'Load more', small = false }: MoreProps) {
  if (!list.hasMore) return null;
  return (
    <div className={small ? 'list-more list-more--small' : 'list-more'}>
      <Button variant="secondary" small={small} busy={list.loadingMore} busyLabel="Loading more…" onClick={list.loadMore}>
        {label}
      </Button>
      <InlineError message={list.moreError} />
    </div>
  );
}
