import { useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Post } from '../api/types';
import { LoadError, Loading } from '../components/LoadState';
import { PersonName, personPath } from '../components/PersonName';
import { plural } from '../lib/text';
import { useLoad } from '../lib/useLoad';
import { Link } from '../router/router';
import type { AudienceChoice } from './audience';
import { AudiencePicker } from './AudiencePicker';
import { EditForm } from './EditForm';
import { TAGS_PER_POST_MAX } from './palette';
import { useConnections, useSocialApi, useTags } from './SocialContext';

interface AudienceEditorProps {
  post: Post;
  id: string;
  onSaved: (post: Post) => void;
  onCancel: () => void;
}

/** Changing who can see one's post, with the same picker as writing one. */
export function AudienceEditor({ post, id, onSaved, onCancel }: AudienceEditorProps) {
  const api = useSocialApi();
  const tags = useTags();
  const connections = useConnections();
  const [choice, setChoice] = useState<AudienceChoice>({ audience: post.audience, tagIds: post.tag_ids ?? [] });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // Tags deleted since no longer count.
  const tagIds = tags.data ? choice.tagIds.filter((t) => tags.data.some((tag) => tag.id === t)) : choice.tagIds;
  const needsTags = choice.audience === 'tags' && (tagIds.length === 0 || tagIds.length > TAGS_PER_POST_MAX);

  async function save() {
    if (saving || needsTags) return;
    setSaving(true);
    setError(null);
    try {
      onSaved(
        await api.updatePost(post.id, {
          audience: choice.audience,
          tag_ids: choice.audience === 'tags' ? [...tagIds] : [],
        }),
      );
    } catch (e) {
      setSaving(false);
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    }
  }

  return (
    <EditForm
      label="Change who can see this post"
      saving={saving}
      blocked={needsTags}
      saveLabel="Save audience"
      onSave={() => void save()}
      onCancel={onCancel}
    >
      <AudiencePicker
        id={id}
        value={choice}
        onChange={(value) => {
          setChoice(value);
          setError(null);
        }}
        tags={tags.data ?? null}
        tagsError={tags.error}
        connections={connections.data?.connections ?? null}
        error={error}
      />
    </EditForm>
  );
}

/** "Who can see this": the people the server lets read the post now (author only). */
export function AudienceList({ post, id }: { post: Post; id: string }) {
  const api = useSocialApi();
  // Read again whenever the audience changes.
  const key = `${post.id}:${post.audience}:${(post.tag_ids ?? []).join(',')}`;
  const audience = useLoad(key, (signal) => api.postAudience(post.id, signal));

  if (audience.status === 'loading') return <Loading>Loading who can see this…</Loading>;
  if (audience.status === 'error' || !audience.data) {
    return <LoadError message={audience.error ?? ''} onRetry={audience.reload} />;
  }
  const { users, count } = audience.data;
  return (
    <div id={id} className="post-audience">
      <p className="post-audience__count">
        {count === 0 ? 'Only you can see this post now.' : `${plural(count, 'person', 'people')} can see this post now:`}
      </p>
      {users.length > 0 ? (
        <ul className="post-audience__list" aria-label="Who can see this">
          {users.map((user) => (
            <li key={user.id}>
              <Link to={personPath(user)}>
                <PersonName user={user} />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {count > users.length ? <p className="muted">and {plural(count - users.length, 'other')}.</p> : null}
    </div>
  );
}
