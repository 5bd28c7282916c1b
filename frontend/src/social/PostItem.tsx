import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Post, Tag } from '../api/types';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { hasControlCharacters, splitLinks } from '../lib/text';
import { exactTime, relativeTime, useNowMinute } from '../lib/time';
import { Link } from '../router/router';
import { audienceBadge, audienceExplanation } from './audience';
import { ContentField, contentProblem } from './ContentField';
import { useSocialApi } from './SocialContext';

/** Post text: plain text (never HTML), with web addresses made into safe links. */
export function PostText({ text }: { text: string }) {
  return (
    <p className="post__text">
      {splitLinks(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow" className="break">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

export function RelativeTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={exactTime(value)}>
      {relativeTime(value, now)}
    </time>
  );
}

interface PostItemProps {
  post: Post;
  viewerId: string;
  tagsById: ReadonlyMap<string, Tag>;
  onUpdated: (post: Post) => void;
  onDeleted: (id: string) => void;
  /** Whether to link the author's name (not on their own page). */
  linkAuthor?: boolean;
}

function PostEditor({ post, onSaved, onCancel }: { post: Post; onSaved: (post: Post) => void; onCancel: () => void }) {
  const api = useSocialApi();
  const [content, setContent] = useState(post.content);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();

  useEffect(() => {
    const el = textRef.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const problem = contentProblem(content);
  const unchanged = content.trim() === post.content;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving || problem !== null) return;
    if (unchanged) {
      onCancel();
      return;
    }
    if (hasControlCharacters(content)) {
      setError('Remove the invisible control characters from the text.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      onSaved(await api.updatePost(post.id, content.trim()));
    } catch (e) {
      setSaving(false);
      if (isApiError(e) && e.code === 'session_expired') return;
      setError(errorMessage(e));
    }
  }

  return (
    <form
      className="post__editor"
      noValidate
      onSubmit={(event) => void save(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !saving) {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <ContentField
        id={`edit-${fieldId}`}
        ref={textRef}
        label="Edit your post"
        value={content}
        onValueChange={(value) => {
          setContent(value);
          setError(null);
        }}
        error={error}
      />
      <p className="field__hint">The audience stays as it was.</p>
      <div className="actions">
        <Button type="submit" small busy={saving} busyLabel="Saving…" aria-disabled={problem !== null || undefined}>
          Save
        </Button>
        <Button variant="secondary" small onClick={onCancel} aria-disabled={saving || undefined}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** One post: author, time (exact on hover), text, and for one's own posts the audience, edit and delete. */
export function PostItem({ post, viewerId, tagsById, onUpdated, onDeleted, linkAuthor = true }: PostItemProps) {
  const api = useSocialApi();
  const now = useNowMinute();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const headingId = useId();
  const own = post.author.id === viewerId;

  useEffect(() => {
    if (!editing && wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const author = `@${post.author.username}`;

  return (
    <article className="post" aria-labelledby={headingId}>
      <header className="post__header">
        <h3 id={headingId} className="post__author">
          {linkAuthor ? <Link to={`/u/${encodeURIComponent(post.author.username)}`}>{author}</Link> : author}
          <span className="visually-hidden">, </span>
        </h3>
        <span className="post__meta">
          <RelativeTime value={post.created_at} now={now} />
          {post.edited_at ? (
            <>
              {' · '}
              <span title={`Edited ${exactTime(post.edited_at)}`}>edited</span>
            </>
          ) : null}
        </span>
        {own ? (
          <span className={`badge badge--${post.audience}`} title={audienceExplanation(post, tagsById)}>
            <span className="visually-hidden">Audience: </span>
            {audienceBadge(post, tagsById)}
          </span>
        ) : null}
      </header>

      {editing ? (
        <PostEditor
          post={post}
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setEditing(false);
            onUpdated(updated);
          }}
        />
      ) : (
        <PostText text={post.content} />
      )}

      {own && !editing ? (
        <div className="post__actions">
          <Button ref={editButton} variant="quiet" small onClick={() => setEditing(true)} aria-label="Edit post">
            Edit
          </Button>
          <ConfirmAction
            label="Delete"
            ariaLabel="Delete post"
            className="button--small"
            question="Delete this post? It disappears for everyone who could see it. This can’t be undone."
            confirmLabel="Delete post"
            busyLabel="Deleting…"
            cancelLabel="Keep it"
            onConfirm={async () => {
              try {
                await api.deletePost(post.id);
              } catch (e) {
                // Already gone (deleted elsewhere): the outcome wanted.
                if (!(isApiError(e) && e.status === 404)) throw e;
              }
              onDeleted(post.id);
            }}
          />
        </div>
      ) : null}
    </article>
  );
}
