import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Comment, Post } from '../api/types';
import { Button } from '../components/Button';
import { DeleteAction } from '../components/ConfirmAction';
import { PersonName, personPath } from '../components/PersonName';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import { hasControlCharacters } from '../lib/text';
import { useNowMinute } from '../lib/time';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { ContentField, contentProblem } from './ContentField';
import { COMMENT_MAX } from './palette';
import { PostText, WrittenAt } from './PostText';
import { ReportAction } from './ReportAction';
import { useSocialApi } from './SocialContext';
import { CONTROL_CHARACTERS_MESSAGE, TextEditor } from './TextEditor';

interface CommentItemProps {
  comment: Comment;
  /** Its author may edit it; its author and the post's author may delete it. */
  canEdit: boolean;
  canDelete: boolean;
  /** Anyone's but one's own. */
  canReport: boolean;
  onSaved: (comment: Comment) => void;
  onDeleted: (id: string) => void;
  /** The viewer blocked its author (from "Report"): their comments go. */
  onAuthorBlocked: (authorId: string) => void;
}

function CommentItem({ comment, canEdit, canDelete, canReport, onSaved, onDeleted, onAuthorBlocked }: CommentItemProps) {
  const api = useSocialApi();
  const now = useNowMinute();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const articleRef = useRef<HTMLElement>(null);
  const author = `@${comment.author.username}`;

  useEffect(() => {
    if (!editing && wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  return (
    <article ref={articleRef} className="comment" aria-label={`Comment by ${author}`}>
      <p className="comment__head">
        <Link className="comment__author" to={personPath(comment.author)}>
          <PersonName user={comment.author} />
        </Link>{' '}
        <WrittenAt created={comment.created_at} edited={comment.edited_at} now={now} />
      </p>
      {editing ? (
        <TextEditor
          initial={comment.content}
          label="Edit your comment"
          max={COMMENT_MAX}
          rows={2}
          onCancel={() => setEditing(false)}
          onSave={async (content) => {
            const saved = await api.updateComment(comment.post_id, comment.id, content);
            setEditing(false);
            onSaved(saved);
          }}
        />
      ) : (
        <PostText text={comment.content} />
      )}
      {!editing && (canEdit || canDelete || canReport) ? (
        <div className="post__actions">
          {canEdit ? (
            <Button ref={editButton} variant="quiet" small onClick={() => setEditing(true)} aria-label={`Edit comment by ${author}`}>
              Edit
            </Button>
          ) : null}
          {canDelete ? (
            <DeleteAction
              ariaLabel={`Delete comment by ${author}`}
              question="Delete this comment? It disappears for everyone. This can’t be undone."
              confirmLabel="Delete comment"
              remove={() => api.deleteComment(comment.post_id, comment.id)}
              onDeleted={() => onDeleted(comment.id)}
            />
          ) : null}
          {canReport ? (
            <ReportAction
              target={{ type: 'comment', id: comment.id, post_id: comment.post_id }}
              subject={comment.author}
              ariaLabel={`Report comment by ${author}`}
              onDone={(blocked) => {
                if (!blocked) return;
                // This comment is about to go: the keyboard continues from the thread.
                articleRef.current?.closest<HTMLElement>('[tabindex="-1"]')?.focus();
                onAuthorBlocked(comment.author.id);
              }}
            />
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

function ReplyBox({ post, onAdded }: { post: Post; onAdded: (comment: Comment) => void }) {
  const api = useSocialApi();
  const [content, setContent] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState('');
  const textRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const problem = contentProblem(content, COMMENT_MAX);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending || problem !== null) return;
    if (hasControlCharacters(content)) {
      setError(CONTROL_CHARACTERS_MESSAGE);
      textRef.current?.focus();
      return;
    }
    setSending(true);
    setError(null);
    try {
      const comment = await api.addComment(post.id, content.trim());
      setContent('');
      setNotice('Comment added.');
      onAdded(comment);
    } catch (e) {
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="reply" noValidate onSubmit={(event) => void send(event)} aria-label="Write a comment">
      <ContentField
        id={`reply-${id}`}
        ref={textRef}
        label="Write a comment"
        hideLabel
        placeholder="Write a comment…"
        rows={2}
        max={COMMENT_MAX}
        value={content}
        onValueChange={(value) => {
          setContent(value);
          setError(null);
          setNotice('');
        }}
        error={error}
      />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <div className="reply__footer">
        <Button type="submit" small busy={sending} busyLabel="Sending…" aria-disabled={problem !== null || undefined}>
          Comment
        </Button>
      </div>
    </form>
  );
}

interface ThreadProps {
  post: Post;
  viewerId: string;
  id: string;
  /** The post's comment count went up or down by one. */
  onCountChange: (delta: number) => void;
}

/** A post's comments, oldest first, paged with "Show more", and the reply box. */
export function Thread({ post, viewerId, id, onCountChange }: ThreadProps) {
  const api = useSocialApi();
  const fetchPage = useCallback<FetchPage<Comment>>(
    async (cursor, signal) => {
      const page = await api.listComments(post.id, cursor, signal);
      return { items: page.comments, nextCursor: page.next_cursor };
    },
    [api, post.id],
  );
  const list = usePagedList(post.id, fetchPage, (c) => c.id);
  const ownPost = post.author.id === viewerId;

  return (
    <section id={id} className="thread" tabIndex={-1} aria-label={`Comments on @${post.author.username}’s post`}>
      {list.status === 'loading' ? (
        <Loading>Loading comments…</Loading>
      ) : list.status === 'error' ? (
        <LoadError message={list.error ?? ''} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol className="thread__list">
          {list.items.map((comment) => (
            <li key={comment.id}>
              <CommentItem
                comment={comment}
                canEdit={comment.author.id === viewerId}
                canDelete={comment.author.id === viewerId || ownPost}
                canReport={comment.author.id !== viewerId}
                onSaved={(saved) => list.update((items) => items.map((c) => (c.id === saved.id ? saved : c)))}
                onDeleted={(gone) => {
                  list.update((items) => items.filter((c) => c.id !== gone));
                  onCountChange(-1);
                }}
                onAuthorBlocked={(authorId) => {
                  const theirs = list.items.filter((c) => c.author.id === authorId).length;
                  list.update((items) => items.filter((c) => c.author.id !== authorId));
                  onCountChange(-theirs);
                }}
              />
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} label="Show more" small />
      {list.status === 'ready' ? (
        <ReplyBox
          post={post}
          onAdded={(comment) => {
            // Oldest first: a new comment belongs at the end, once the end is on screen.
            if (!list.hasMore) list.update((items) => [...items, comment]);
            onCountChange(1);
          }}
        />
      ) : null}
    </section>
  );
}
