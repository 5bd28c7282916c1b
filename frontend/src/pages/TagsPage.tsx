import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Tag, TagColor } from '../api/types';
import { FormError } from '../components/Alerts';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { Page } from '../components/Page';
import { TagChip } from '../components/TagChip';
import { TextField } from '../components/TextField';
import { charCount, formatNumber, plural } from '../lib/text';
import { Link } from '../router/router';
import { TAGS_MAX, TAG_COLORS, TAG_NAME_MAX, tagClass } from '../social/palette';
import { LoadError, Loading } from '../components/LoadState';
import { useConnections, useSocialStore, useTags } from '../social/SocialContext';

function validateName(name: string): string | null {
  const n = charCount(name.trim());
  if (n === 0) return 'Give the tag a name.';
  if (n > TAG_NAME_MAX) return `Use at most ${TAG_NAME_MAX} characters.`;
  return null;
}

/** Server codes about the name go next to the name field. */
const isNameError = (code: string) => /name/.test(code);

function ColorChoice({
  name,
  value,
  onChange,
  legend,
}: {
  name: string;
  value: TagColor;
  onChange: (color: TagColor) => void;
  legend: string;
}) {
  return (
    <fieldset className="colors">
      <legend className="field__label">{legend}</legend>
      <div className="pills">
        {TAG_COLORS.map((c) => (
          <label key={c.value} className={`pill pill--check ${tagClass(c.value)}`}>
            <input
              type="radio"
              className="pill__input"
              name={name}
              value={c.value}
              checked={value === c.value}
              onChange={() => onChange(c.value)}
            />
            <span className="tag__dot" aria-hidden="true" />
            <span>{c.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function CreateTag({ count }: { count: number }) {
  const store = useSocialStore();
  const [name, setName] = useState('');
  const [color, setColor] = useState<TagColor>('family');
  const [errors, setErrors] = useState<{ name?: string; form?: string }>({});
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState('');
  const full = count >= TAGS_MAX;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving || full) return;
    const invalid = validateName(name);
    if (invalid) {
      setErrors({ name: invalid });
      document.getElementById('tag-name')?.focus();
      return;
    }
    setSaving(true);
    setErrors({});
    setNotice('');
    try {
      const tag = await store.api.createTag({ name: name.trim(), color });
      store.tagSaved(tag);
      setName('');
      setNotice(`Created the tag ${tag.name}.`);
      document.getElementById('tag-name')?.focus();
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      const message = errorMessage(e);
      setErrors(isApiError(e) && isNameError(e.code) ? { name: message } : { form: message });
      if (isApiError(e) && isNameError(e.code)) document.getElementById('tag-name')?.focus();
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="panel form" noValidate onSubmit={(event) => void submit(event)} aria-labelledby="new-tag-heading">
      <h2 id="new-tag-heading" className="section__title">
        New tag
      </h2>
      <TextField
        id="tag-name"
        label="Name"
        value={name}
        onValueChange={(value) => {
          setName(value);
          setErrors({});
          setNotice('');
        }}
        error={errors.name}
        hint={`${formatNumber(charCount(name.trim()))} / ${TAG_NAME_MAX} characters. For example: Family, Book club.`}
        autoComplete="off"
      />
      <ColorChoice name="new-tag-color" legend="Colour" value={color} onChange={setColor} />
      <FormError message={errors.form} />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      {full ? (
        <p className="field__hint">You have {TAGS_MAX} tags, the most there can be. Delete one to make another.</p>
      ) : null}
      <Button type="submit" busy={saving} busyLabel="Creating…" aria-disabled={full || undefined}>
        Create tag
      </Button>
    </form>
  );
}

function TagRow({ tag, carriers, onDeleted }: { tag: Tag; carriers: number | null; onDeleted: () => void }) {
  const store = useSocialStore();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(tag.name);
  const [nameError, setNameError] = useState<string | null>(null);
  const [colorError, setColorError] = useState<string | null>(null);
  const [saving, setSaving] = useState<'name' | 'color' | null>(null);
  const [status, setStatus] = useState('');
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  const id = useId();
  const nameId = `rename-${id}`;

  useEffect(() => {
    if (renaming) document.getElementById(nameId)?.focus();
    else if (wasRenaming.current) renameButton.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming, nameId]);

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const invalid = validateName(name);
    if (invalid) {
      setNameError(invalid);
      return;
    }
    if (name.trim() === tag.name) {
      setRenaming(false);
      return;
    }
    setSaving('name');
    setNameError(null);
    try {
      const updated = await store.api.updateTag(tag.id, { name: name.trim() });
      store.tagSaved(updated);
      setStatus(`Renamed to ${updated.name}.`);
      setRenaming(false);
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      setNameError(errorMessage(e));
    } finally {
      setSaving(null);
    }
  }

  async function recolor(color: TagColor) {
    if (saving || color === tag.color) return;
    setSaving('color');
    setColorError(null);
    try {
      const updated = await store.api.updateTag(tag.id, { color });
      store.tagSaved(updated);
      setStatus(`${updated.name} is now ${TAG_COLORS.find((c) => c.value === updated.color)?.label ?? updated.color}.`);
    } catch (e) {
      if (isApiError(e) && e.code === 'session_expired') return;
      setColorError(errorMessage(e));
    } finally {
      setSaving(null);
    }
  }

  const usage =
    carriers === null ? 'Counting…' : carriers === 0 ? 'Not on anyone yet' : `On ${plural(carriers, 'connection')}`;

  return (
    <li className="panel tag-row">
      <div className="tag-row__head">
        <h3 className="tag-row__name">
          <TagChip name={tag.name} color={tag.color} />
        </h3>
        <span className="muted">{usage}</span>
      </div>

      {renaming ? (
        <form
          className="tag-row__rename"
          noValidate
          onSubmit={(event) => void rename(event)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setRenaming(false);
            }
          }}
        >
          <TextField
            id={nameId}
            label={`New name for ${tag.name}`}
            value={name}
            onValueChange={(value) => {
              setName(value);
              setNameError(null);
            }}
            error={nameError}
            autoComplete="off"
          />
          <div className="actions">
            <Button type="submit" small busy={saving === 'name'} busyLabel="Saving…">
              Save name
            </Button>
            <Button variant="secondary" small onClick={() => setRenaming(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}

      <div className="tag-row__actions">
        {!renaming ? (
          <Button
            ref={renameButton}
            variant="quiet"
            small
            aria-label={`Rename ${tag.name}`}
            onClick={() => {
              setName(tag.name);
              setNameError(null);
              setRenaming(true);
            }}
          >
            Rename
          </Button>
        ) : null}
        <label className="visually-hidden" htmlFor={`color-${id}`}>
          Colour of {tag.name}
        </label>
        <select
          id={`color-${id}`}
          className="input input--select input--small"
          value={tag.color}
          aria-disabled={saving !== null || undefined}
          aria-describedby={colorError ? `color-${id}-error` : undefined}
          onChange={(event) => void recolor(event.target.value as TagColor)}
        >
          {TAG_COLORS.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <ConfirmAction
          label="Delete"
          ariaLabel={`Delete ${tag.name}`}
          className="button--small"
          question={
            <>
              Delete the tag {tag.name}?{' '}
              {carriers
                ? `It is on ${plural(carriers, 'connection')}; it will be taken off ${carriers === 1 ? 'them' : 'all of them'}. `
                : 'It is not on any connection. '}
              Posts you shared only with this tag will no longer be visible to anyone through it.
            </>
          }
          confirmLabel="Delete tag"
          busyLabel="Deleting…"
          cancelLabel="Keep it"
          onConfirm={async () => {
            try {
              await store.api.deleteTag(tag.id);
            } catch (e) {
              if (!(isApiError(e) && e.status === 404)) throw e;
            }
            store.tagDeleted(tag.id);
            onDeleted();
          }}
        />
      </div>
      {colorError ? (
        <p id={`color-${id}-error`} className="field__error" role="alert">
          {colorError}
        </p>
      ) : null}
      <p className="visually-hidden" role="status">
        {status}
      </p>
    </li>
  );
}

export function TagsPage() {
  const store = useSocialStore();
  const tags = useTags();
  const connections = useConnections();
  const listRef = useRef<HTMLUListElement>(null);

  const carriersOf = (tagId: string): number | null =>
    connections.data ? connections.data.connections.filter((c) => c.tag_ids.includes(tagId)).length : null;

  return (
    <Page
      title="Tags"
      width="column"
      intro={
        <p>
          Tags are your private groups of connections, such as Family or Work. Only you see them. Put them on people on
          the <Link to="/connections">Connections</Link> page, then share a post with chosen tags.
        </p>
      }
    >
      {tags.status === 'loading' ? (
        <Loading>Loading your tags…</Loading>
      ) : tags.status === 'error' ? (
        <LoadError message={tags.error} onRetry={() => void store.reloadTags()} />
      ) : (
        <>
          <CreateTag count={tags.data.length} />
          <section className="section section--plain" aria-labelledby="your-tags">
            <h2 id="your-tags" className="section__title">
              Your tags <span className="muted">({formatNumber(tags.data.length)} of {TAGS_MAX})</span>
            </h2>
            {tags.data.length === 0 ? (
              <p className="state state--empty">You have no tags yet. Create your first one above.</p>
            ) : (
              <ul className="plain-list" ref={listRef} tabIndex={-1} aria-label="Your tags">
                {tags.data.map((tag) => (
                  <TagRow
                    key={tag.id}
                    tag={tag}
                    carriers={carriersOf(tag.id)}
                    onDeleted={() => listRef.current?.focus()}
                  />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </Page>
  );
}
