import { useCallback, useId, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import { REACTION_KINDS, type Post, type Reaction, type ReactionKind, type Reactions as ReactionsData } from '../api/types';
import { Button } from '../components/Button';
import { InlineError } from '../components/Alerts';
import { PersonName, personPath } from '../components/PersonName';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { Link } from '../router/router';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import { REACTION_FACES, afterTap, totalReactions } from './reactions';
import { useSocialApi } from './SocialContext';

/** Who reacted, and with what; loaded when asked for. */
function WhoReacted({ postId, id }: { postId: string; id: string }) {
  const api = useSocialApi();
  const fetchPage = useCallback<FetchPage<Reaction>>(
    async (cursor, signal) => {
      const page = await api.listReactions(postId, cursor, signal);
      return { items: page.reactions, nextCursor: page.next_cursor };
    },
    [api, postId],
  );
  const list = usePagedList(postId, fetchPage, (r) => r.user.id);

  if (list.status === 'loading') return <Loading>Loading reactions…</Loading>;
  if (list.status === 'error') return <LoadError message={list.error ?? ''} onRetry={list.reload} />;
  return (
    <div id={id} className="who-reacted">
      <ul className="who-reacted__list" aria-label="Who reacted">
        {list.items.map((r) => (
          <li key={r.user.id}>
            <span aria-hidden="true">{REACTION_FACES[r.kind].emoji}</span>{' '}
            <Link to={personPath(r.user)}>
              <PersonName user={r.user} />
            </Link>
            <span className="visually-hidden">, {REACTION_FACES[r.kind].name}</span>
          </li>
        ))}
      </ul>
      <LoadMore list={list} label="Show more" small />
    </div>
  );
}

interface ReactionsProps {
  post: Post;
  /** Applies a change to the post on screen. */
  onChange: (change: (post: Post) => Post) => void;
}

/**
 * One tap reacts (or changes one's reaction); tapping one's current kind
 * takes it back. The counts change at once and go back if the server says no.
 */
export function Reactions({ post, onChange }: ReactionsProps) {
  const api = useSocialApi();
  const [error, setError] = useState<string | null>(null);
  const [showWho, setShowWho] = useState(false);
  const pending = useRef(false);
  const whoId = useId();
  const { reactions } = post;
  const total = totalReactions(reactions);

  const setReactions = (next: ReactionsData) => onChange((p) => ({ ...p, reactions: next }));

  async function tap(kind: ReactionKind) {
    // One change at a time: the rollback must restore what was really there.
    if (pending.current) return;
    pending.current = true;
    setError(null);
    const before = reactions;
    const taken = before.mine === kind;
    setReactions(afterTap(before, kind));
    try {
      setReactions(taken ? await api.unreact(post.id) : await api.react(post.id, kind));
    } catch (e) {
      setReactions(before);
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    } finally {
      pending.current = false;
    }
  }

  return (
    <div className="reactions">
      <div className="reactions__bar" role="group" aria-label="Reactions">
        {REACTION_KINDS.map((kind) => {
          const n = reactions.counts[kind] ?? 0;
          const face = REACTION_FACES[kind];
          return (
            <button
              key={kind}
              type="button"
              className="reaction"
              aria-pressed={reactions.mine === kind}
              aria-label={n > 0 ? `${face.name}, ${n}` : face.name}
              onClick={() => void tap(kind)}
            >
              <span aria-hidden="true">{face.emoji}</span>
              {n > 0 ? (
                <span className="reaction__count" aria-hidden="true">
                  {n}
                </span>
              ) : null}
            </button>
          );
        })}
        {total > 0 ? (
          <Button
            variant="link"
            className="reactions__who"
            aria-expanded={showWho}
            aria-controls={showWho ? whoId : undefined}
            onClick={() => setShowWho((v) => !v)}
          >
            Who reacted
          </Button>
        ) : null}
      </div>
      <InlineError message={error} />
      {/* Keyed by the counts: after a change, the list is read again. */}
      {showWho && total > 0 ? <WhoReacted key={JSON.stringify(reactions)} postId={post.id} id={whoId} /> : null}
    </div>
  );
}
