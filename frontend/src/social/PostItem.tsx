import { useEffect, useId, useRef, useState } from 'react';
import type { Post, Tag } from '../api/types';
import { Button } from '../components/Button';
import { DeleteAction } from '../components/ConfirmAction';
import { PersonName, personPath } from '../components/PersonName';
import { plural } from '../lib/text';
import { useNowMinute } from '../lib/time';
import { Link } from '../router/router';
import { audienceBadge, audienceExplanation } from './audience';
import { AudienceEditor, AudienceList } from './PostAudience';
import { PostText, WrittenAt } from './PostText';
import { Reactions } from './Reactions';
import { ReportAction } from './ReportAction';
import { useSocialApi } from './SocialContext';
import { TextEditor } from './TextEditor';
import { Thread } from './Thread';

interface PostItemProps {
  post: Post;
  viewerId: string;
  tagsById: ReadonlyMap<string, Tag>;
  /** Applies a change to the post on screen (an edit, a reaction, a new comment count). */
  onUpdated: (change: (post: Post) => Post) => void;
  onDeleted: (id: string) => void;
  /** The viewer blocked the author (from "Report"): their posts go. Without it, this post goes. */
  onAuthorBlocked?: (authorId: string) => void;
  /** Whether to link the author's name (not on their own page). */
  linkAuthor?: boolean;
  /** Whether the comments start open (on the post's own page). */
  threadOpen?: boolean;
}

/**
 * One post: author, time (exact on hover), text, reactions and the comment
 * thread; for one's own posts also the audience, edit, change audience, who
 * can see it, and delete; for anyone else's, "Report".
 */
export function PostItem({
  post,
  viewerId,
  tagsById,
  onUpdated,
  onDeleted,
  onAuthorBlocked,
  linkAuthor = true,
  threadOpen = false,
}: PostItemProps) {
  const api = useSocialApi();
  const now = useNowMinute();
  // At most one editor at a time.
  const [panel, setPanel] = useState<'text' | 'audience' | null>(null);
  const [showAudience, setShowAudience] = useState(false);
  const [open, setOpen] = useState(threadOpen);
  const lastPanel = useRef<'text' | 'audience' | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const audienceButton = useRef<HTMLButtonElement>(null);
  const articleRef = useRef<HTMLElement>(null);
  const headingId = useId();
  const threadId = useId();
  const audienceId = useId();
  const own = post.author.id === viewerId;

  useEffect(() => {
    // The buttons come back when the editor closes: focus the one that opened it.
    if (panel === null && lastPanel.current !== null) {
      (lastPanel.current === 'text' ? editButton : audienceButton).current?.focus();
    }
    lastPanel.current = panel;
  }, [panel]);

  const author = <PersonName user={post.author} />;
  const saved = (updated: Post) => {
    setPanel(null);
    onUpdated(() => updated);
  };

  return (
    <article ref={articleRef} className="post" aria-labelledby={headingId}>
      <header className="post__header">
        <h3 id={headingId} className="post__author">
          {linkAuthor ? <Link to={personPath(post.author)}>{author}</Link> : author}
          <span className="visually-hidden">, </span>
        </h3>
        <WrittenAt created={post.created_at} edited={post.edited_at} now={now} />
        {own ? (
          <span className={`badge badge--${post.audience}`} title={audienceExplanation(post, tagsById)}>
            <span className="visually-hidden">Audience: </span>
            {audienceBadge(post, tagsById)}
          </span>
        ) : null}
      </header>

      {panel === 'text' ? (
        <TextEditor
          initial={post.content}
          label="Edit your post"
          hint="The audience stays as it was."
          onCancel={() => setPanel(null)}
          onSave={async (content) => saved(await api.updatePost(post.id, { content }))}
        />
      ) : (
        <PostText text={post.content} />
      )}
      {panel === 'audience' ? (
        <AudienceEditor post={post} id={`${headingId}-audience`} onCancel={() => setPanel(null)} onSaved={saved} />
      ) : null}

      {own && panel === null ? (
        <div className="post__actions">
          <Button ref={editButton} variant="quiet" small onClick={() => setPanel('text')} aria-label="Edit post">
            Edit
          </Button>
          <Button ref={audienceButton} variant="quiet" small onClick={() => setPanel('audience')}>
            Change audience
          </Button>
          <Button
            variant="quiet"
            small
            aria-expanded={showAudience}
            aria-controls={showAudience ? audienceId : undefined}
            onClick={() => setShowAudience((v) => !v)}
          >
            Who can see this
          </Button>
          <DeleteAction
            ariaLabel="Delete post"
            question="Delete this post? It disappears for everyone who could see it. This can’t be undone."
            confirmLabel="Delete post"
            remove={() => api.deletePost(post.id)}
            onDeleted={() => onDeleted(post.id)}
          />
        </div>
      ) : null}
      {own && showAudience ? <AudienceList post={post} id={audienceId} /> : null}
      {own ? null : (
        <div className="post__actions">
          <ReportAction
            target={{ type: 'post', id: post.id }}
            subject={post.author}
            ariaLabel={`Report post by @${post.author.username}`}
            onDone={(blocked) => {
              if (!blocked) return;
              // This post is about to go: the keyboard continues from the list (or the screen) it was in.
              articleRef.current?.closest<HTMLElement>('[tabindex="-1"]')?.focus();
              if (onAuthorBlocked) onAuthorBlocked(post.author.id);
              else onDeleted(post.id);
            }}
          />
        </div>
      )}

      <div className="post__footer">
        <Reactions post={post} onChange={onUpdated} />
        <Button
          variant="quiet"
          small
          className="post__comments"
          aria-expanded={open}
          aria-controls={open ? threadId : undefined}
          onClick={() => setOpen((v) => !v)}
        >
          {plural(post.comment_count, 'comment')}
        </Button>
      </div>
      {open ? (
        <Thread
          post={post}
          viewerId={viewerId}
          id={threadId}
          onCountChange={(delta) => onUpdated((p) => ({ ...p, comment_count: Math.max(0, p.comment_count + delta) }))}
        />
      ) : null}
    </article>
  );
}
