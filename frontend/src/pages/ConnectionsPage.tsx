import { useId, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Connection, Tag } from '../api/types';
import { ConfirmAction } from '../components/ConfirmAction';
import { Page } from '../components/Page';
import { PersonName, personPath } from '../components/PersonName';
import { TagChip } from '../components/TagChip';
import { formatNumber } from '../lib/text';
import { formatDate } from '../lib/time';
import { Link } from '../router/router';
import { LoadError, Loading } from '../components/LoadState';
import { InviteFriend } from '../social/InviteFriend';
import { useConnections, useSocialStore, useTags } from '../social/SocialContext';

function ConnectionRow({
  connection,
  tags,
  onRemoved,
}: {
  connection: Connection;
  tags: readonly Tag[];
  onRemoved: () => void;
}) {
  const store = useSocialStore();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const selectId = useId();
  const selectRef = useRef<HTMLSelectElement>(null);
  const name = `@${connection.user.username}`;
  const byId = new Map(tags.map((t) => [t.id, t]));
  const onThem = connection.tag_ids.map((id) => byId.get(id)).filter((t): t is Tag => t !== undefined);
  const available = tags.filter((t) => !connection.tag_ids.includes(t.id));

  async function save(tagIds: string[], message: string) {
    if (saving) return;
    setSaving(true);
    setError(null);
    try {
      const { connection: updated } = await store.api.setConnectionTags(connection.user.id, tagIds);
      store.connectionSaved(updated);
      setStatus(message);
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <li className="panel person-row">
      <div className="person-row__head">
        <h2 className="person-row__name">
          <Link to={personPath(connection.user)}>
            <PersonName user={connection.user} />
          </Link>
        </h2>
        <span className="muted">since {formatDate(connection.connected_at)}</span>
      </div>

      <div className="person-row__tags">
        <ul className="pills" aria-label={`Your tags on ${name}`}>
          {onThem.map((tag) => (
            <li key={tag.id}>
              <TagChip name={tag.name} color={tag.color}>
                <button
                  type="button"
                  className="tag__remove"
                  aria-label={`Remove tag ${tag.name} from ${name}`}
                  aria-disabled={saving || undefined}
                  onClick={() => {
                    if (saving) return;
                    void save(
                      connection.tag_ids.filter((id) => id !== tag.id),
                      `Removed ${tag.name} from ${name}.`,
                    ).then(() => selectRef.current?.focus());
                  }}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </TagChip>
            </li>
          ))}
          {onThem.length === 0 ? <li className="muted">No tags</li> : null}
        </ul>
        {tags.length === 0 ? (
          <p className="field__hint">
            <Link to="/tags">Create a tag</Link> to group the people you know.
          </p>
        ) : available.length > 0 ? (
          <div className="add-tag">
            <label className="visually-hidden" htmlFor={selectId}>
              Add a tag to {name}
            </label>
            <select
              id={selectId}
              ref={selectRef}
              className="input input--select"
              value=""
              aria-disabled={saving || undefined}
              onChange={(event) => {
                const id = event.target.value;
                const tag = byId.get(id);
                if (!tag || saving) return;
                void save([...connection.tag_ids, id], `Tagged ${name} ${tag.name}.`);
              }}
            >
              <option value="">{saving ? 'Saving…' : '+ Add tag'}</option>
              {available.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}

      <div className="person-row__actions">
        <ConfirmAction
          label="Disconnect"
          ariaLabel={`Disconnect from ${name}`}
          className="button--small"
          question={
            <>
              Disconnect from {name}? You will stop seeing each other’s posts right away, and your tags on {name} are
              removed. You can ask to connect again later.
            </>
          }
          confirmLabel="Yes, disconnect"
          busyLabel="Disconnecting…"
          cancelLabel="Stay connected"
          onConfirm={async () => {
            try {
              await store.api.disconnect(connection.user.id);
            } catch (e) {
              // Already disconnected elsewhere: the outcome wanted.
              if (!(isApiError(e) && e.status === 404)) throw e;
            }
            store.connectionRemoved(connection.user.id);
            onRemoved();
          }}
        />
      </div>
    </li>
  );
}

export function ConnectionsPage() {
  const store = useSocialStore();
  const listRef = useRef<HTMLUListElement>(null);
  const connections = useConnections();
  const tags = useTags();
  const data = connections.data;

  const aside = data ? (
    <p className="cap" aria-label={`${formatNumber(data.count)} of ${formatNumber(data.limit)} connections`}>
      <span className="cap__count">{formatNumber(data.count)}</span>
      <span className="cap__limit"> / {formatNumber(data.limit)}</span>
    </p>
  ) : null;

  return (
    <Page
      title="Connections"
      width="column"
      aside={aside}
      intro={
        <p>
          Everyone you are connected with, and the tags you gave them. Tags are private to you. You can have up to{' '}
          {formatNumber(data?.limit ?? 100)} connections, so each one can matter.
        </p>
      }
    >
      {connections.status === 'loading' ? (
        <Loading>Loading your connections…</Loading>
      ) : connections.status === 'error' ? (
        <LoadError message={connections.error} onRetry={() => void store.reloadConnections()} />
      ) : data && data.connections.length === 0 ? (
        <div className="state state--empty">
          <p>You have no connections yet.</p>
          <p>
            <Link to="/people">Find someone you know</Link>, answer your <Link to="/requests">requests</Link>, or
            invite a friend below.
          </p>
        </div>
      ) : data ? (
        <>
          {data.count >= data.limit ? (
            <p className="notice notice--info">
              You have reached the limit of {formatNumber(data.limit)} connections. To connect with someone new,
              disconnect from someone first.
            </p>
          ) : null}
          {tags.status === 'error' ? <LoadError message={tags.error} onRetry={() => void store.reloadTags()} /> : null}
          <ul className="plain-list" aria-label="Your connections" ref={listRef} tabIndex={-1}>
            {data.connections.map((c) => (
              <ConnectionRow
                key={c.user.id}
                connection={c}
                tags={tags.data ?? []}
                onRemoved={() => listRef.current?.focus()}
              />
            ))}
          </ul>
        </>
      ) : null}
      <InviteFriend />
    </Page>
  );
}
