import type { Tag } from '../api/types';
import { tagClass } from './palette';

interface TagFilterProps {
  tags: readonly Tag[];
  selected: readonly string[];
  onChange: (tagIds: string[]) => void;
}

/** The viewer's tags as pills: narrow the feed to people tagged with any of the pressed ones. */
export function TagFilter({ tags, selected, onChange }: TagFilterProps) {
  const chosen = new Set(selected);
  return (
    <div className="filter" role="group" aria-label="Show posts from">
      <div className="pills">
        <button
          type="button"
          className="pill pill--toggle"
          aria-pressed={chosen.size === 0}
          onClick={() => onChange([])}
        >
          Everyone
        </button>
        {tags.map((tag) => (
          <button
            key={tag.id}
            type="button"
            className={`pill pill--toggle ${tagClass(tag.color)}`}
            aria-pressed={chosen.has(tag.id)}
            onClick={() =>
              onChange(chosen.has(tag.id) ? selected.filter((id) => id !== tag.id) : [...selected, tag.id])
            }
          >
            <span className="tag__dot" aria-hidden="true" />
            {tag.name}
          </button>
        ))}
      </div>
    </div>
  );
}
