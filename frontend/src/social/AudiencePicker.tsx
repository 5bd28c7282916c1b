import type { Audience, Connection, Tag } from '../api/types';
import { Link } from '../router/router';
import { describeAudience, type AudienceChoice } from './audience';
import { TAGS_PER_POST_MAX, tagClass } from './palette';

interface AudiencePickerProps {
  id: string;
  value: AudienceChoice;
  onChange: (value: AudienceChoice) => void;
  /** null while loading. */
  tags: readonly Tag[] | null;
  tagsError?: string | null;
  /** null while loading (the description then leaves out the count). */
  connections: readonly Connection[] | null;
  /** A server error about the audience or tags, shown here. */
  error?: string | null;
}

const OPTIONS: { value: Audience; label: string }[] = [
  { value: 'connections', label: 'All my connections' },
  { value: 'tags', label: 'People with chosen tags' },
  { value: 'private', label: 'Only me' },
];

/**
 * Who will see a post: all connections, people with chosen tags (1–10 of the
 * author's tags), or only the author; and, in words, who that is right now.
 */
export function AudiencePicker({ id, value, onChange, tags, tagsError, connections, error }: AudiencePickerProps) {
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const chosen = new Set(value.tagIds);
  const full = chosen.size >= TAGS_PER_POST_MAX;

  function toggle(tagId: string, on: boolean) {
    if (on && !chosen.has(tagId) && full) return;
    const tagIds = on ? [...value.tagIds.filter((t) => t !== tagId), tagId] : value.tagIds.filter((t) => t !== tagId);
    onChange({ ...value, tagIds });
  }

  return (
    <fieldset className="audience" aria-describedby={descriptionId}>
      <legend className="field__label">Who can see this?</legend>
      <div className="segmented">
        {OPTIONS.map((option) => (
          <label key={option.value} className="segmented__option">
            <input
              type="radio"
              name={`${id}-audience`}
              value={option.value}
              checked={value.audience === option.value}
              onChange={() => onChange({ ...value, audience: option.value })}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>

      {value.audience === 'tags' ? (
        <fieldset className="tag-picker">
          <legend className="tag-picker__legend">
            Tags <span className="muted">(choose 1–{TAGS_PER_POST_MAX})</span>
          </legend>
          {tags === null ? (
            tagsError ? (
              <p className="field__error" role="alert">
                {tagsError}
              </p>
            ) : (
              <p className="muted" role="status">
                Loading your tags…
              </p>
            )
          ) : tags.length === 0 ? (
            <p className="muted">
              You have no tags yet. <Link to="/tags">Create tags</Link>, then put them on your connections.
            </p>
          ) : (
            <>
              <div className="pills">
                {tags.map((tag) => {
                  const checked = chosen.has(tag.id);
                  return (
                    <label key={tag.id} className={`pill pill--check ${tagClass(tag.color)}`}>
                      <input
                        type="checkbox"
                        className="pill__input"
                        checked={checked}
                        disabled={!checked && full}
                        onChange={(event) => toggle(tag.id, event.target.checked)}
                      />
                      <span className="tag__dot" aria-hidden="true" />
                      <span>{tag.name}</span>
                    </label>
                  );
                })}
              </div>
              {full ? (
                <p className="field__hint" role="status">
                  That’s the most: a post can be shared with up to {TAGS_PER_POST_MAX} tags.
                </p>
              ) : null}
            </>
          )}
        </fieldset>
      ) : null}

      <p id={descriptionId} className="audience__summary" aria-live="polite">
        {describeAudience(value, connections, tags ?? [])}
      </p>
      {error ? (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
