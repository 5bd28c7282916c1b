import { useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Block } from '../api/types';
import { InlineError } from '../components/Alerts';
import { Button } from '../components/Button';
import { LoadError, Loading } from '../components/LoadState';
import { PersonName, personPath } from '../components/PersonName';
import { useLoad } from '../lib/useLoad';
import { formatDate } from '../lib/time';
import { Link } from '../router/router';
import { useSocialApi } from './SocialContext';

export const BLOCKED_HEADING_ID = 'blocked-people-heading';

function BlockedRow({ block, onDone }: { block: Block; onDone: (message: string) => void }) {
  const api = useSocialApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = `@${block.user.username}`;

  async function unblock() {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      await api.unblock(block.user.id);
      onDone(`You unblocked ${name}. You are not connected; either of you can ask again.`);
    } catch (e) {
      setPending(false);
      if (isApiError(e) && e.code === 'session_expired') return;
      // Unblocked meanwhile (on their page, or in another tab): the outcome wanted.
      if (isApiError(e) && e.code === 'not_blocked') {
        onDone(`${name} is no longer blocked.`);
        return;
      }
      setError(errorMessage(e));
    }
  }

  return (
    <li className="blocked-row">
      <div className="blocked-row__who">
        <Link to={personPath(block.user)}>
          <PersonName user={block.user} />
        </Link>
        <span className="muted">blocked since {formatDate(block.created_at)}</span>
      </div>
      <Button
        small
        variant="secondary"
        busy={pending}
        busyLabel="Unblocking…"
        aria-label={`Unblock ${name}`}
        onClick={() => void unblock()}
      >
        Unblock
      </Button>
      <InlineError message={error} />
    </li>
  );
}

/** The Account screen's "Blocked people": everyone the person blocked, each with "Unblock". */
export function BlockedPeople() {
  const api = useSocialApi();
  const blocks = useLoad('blocks', (signal) => api.listBlocks(signal));
  const [notice, setNotice] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);

  return (
    <section className="section" aria-labelledby={BLOCKED_HEADING_ID}>
      <h2 id={BLOCKED_HEADING_ID} ref={headingRef} className="section__title" tabIndex={-1}>
        Blocked people
      </h2>
      <p className="muted">
        The people you blocked can’t find you, see your profile or anything you share, or ask to connect; they are not
        told. To block someone, open their page. Unblocking doesn’t reconnect you.
      </p>
      <div role="status" className="live">
        {notice ? <p className="notice notice--info">{notice}</p> : null}
      </div>
      {blocks.status === 'loading' ? (
        <Loading>Loading the people you blocked…</Loading>
      ) : blocks.status === 'error' || !blocks.data ? (
        <LoadError message={blocks.error ?? ''} onRetry={blocks.reload} />
      ) : blocks.data.length === 0 ? (
        <p className="state state--empty">You haven’t blocked anyone.</p>
      ) : (
        <ul className="blocked-list" aria-label="People you blocked">
          {blocks.data.map((block) => (
            <BlockedRow
              key={block.user.id}
              block={block}
              onDone={(message) => {
                blocks.update((list) => list.filter((b) => b.user.id !== block.user.id));
                setNotice(message);
                // The row (and the focused button) is gone: continue from the section.
                headingRef.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
