import { useRef, useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { Post } from '../api/types';
import { Button } from '../components/Button';
import { FormError } from '../components/Alerts';
import { hasControlCharacters } from '../lib/text';
import type { AudienceChoice } from './audience';
import { AudiencePicker } from './AudiencePicker';
import { ContentField, contentProblem } from './ContentField';
import { TAGS_PER_POST_MAX } from './palette';
import { CONTROL_CHARACTERS_MESSAGE } from './TextEditor';
import { useConnections, useSocialApi, useTags } from './SocialContext';

type ErrorPlace = 'content' | 'audience' | 'form';

/** Which control a server error belongs next to. */
function placeOf(code: string): ErrorPlace {
  if (/content|control_char|empty|too_long/.test(code)) return 'content';
  if (/tag|audience/.test(code)) return 'audience';
  return 'form';
}

interface ComposerProps {
  /** Called with the created post (the feed puts it on top). */
  onPosted: (post: Post) => void;
  id?: string;
}

/** Writing a post: the text with its counter, the audience, and "Post". */
export function Composer({ onPosted, id = 'composer' }: ComposerProps) {
  const api = useSocialApi();
  const tags = useTags();
  const connections = useConnections();
  const [content, setContent] = useState('');
  const [choice, setChoice] = useState<AudienceChoice>({ audience: 'connections', tagIds: [] });
  const [errors, setErrors] = useState<Partial<Record<ErrorPlace, string>>>({});
  const [posting, setPosting] = useState(false);
  const [notice, setNotice] = useState('');
  const textRef = useRef<HTMLTextAreaElement>(null);

  // Chosen tags that were deleted meanwhile no longer count.
  const knownTagIds = tags.data ? choice.tagIds.filter((t) => tags.data.some((tag) => tag.id === t)) : choice.tagIds;
  const problem = contentProblem(content);
  const needsTags = choice.audience === 'tags' && (knownTagIds.length === 0 || knownTagIds.length > TAGS_PER_POST_MAX);
  const blocked = problem !== null || needsTags;
  const reason =
    problem === 'empty'
      ? 'Write something to post.'
      : problem === 'too-long'
        ? 'Shorten the post to post it.'
        : needsTags
          ? 'Choose at least one tag to post.'
          : null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (posting || blocked) return;
    if (hasControlCharacters(content)) {
      setErrors({ content: CONTROL_CHARACTERS_MESSAGE });
      textRef.current?.focus();
      return;
    }
    setPosting(true);
    setErrors({});
    setNotice('');
    try {
      const post = await api.createPost({
        content: content.trim(),
        audience: choice.audience,
        tag_ids: choice.audience === 'tags' ? [...knownTagIds] : [],
      });
      setContent('');
      setNotice('Posted.');
      onPosted(post);
      textRef.current?.focus();
    } catch (error) {
      if (isApiError(error) && error.code === 'session_expired') return;
      const place = isApiError(error) ? placeOf(error.code) : 'form';
      setErrors({ [place]: errorMessage(error) });
    } finally {
      setPosting(false);
    }
  }

  const reasonId = `${id}-reason`;

  return (
    <form className="composer panel" noValidate onSubmit={(event) => void submit(event)} aria-label="Write a post">
      <ContentField
        id={`${id}-content`}
        ref={textRef}
        label="What would you like to share?"
        value={content}
        onValueChange={(value) => {
          setContent(value);
          setNotice('');
          if (errors.content || errors.form) setErrors(({ content: _c, form: _f, ...rest }) => rest);
        }}
        error={errors.content}
      />
      <AudiencePicker
        id={`${id}-audience`}
        value={choice}
        onChange={(value) => {
          setChoice(value);
          if (errors.audience) setErrors(({ audience: _a, ...rest }) => rest);
        }}
        tags={tags.data ?? null}
        tagsError={tags.error}
        connections={connections.data?.connections ?? null}
        error={errors.audience}
      />
      <FormError message={errors.form} />
      <div className="composer__footer">
        <p className="visually-hidden" role="status">
          {notice}
        </p>
        {reason && content !== '' ? (
          <p id={reasonId} className="field__hint">
            {reason}
          </p>
        ) : null}
        <Button
          type="submit"
          busy={posting}
          busyLabel="Posting…"
          aria-disabled={blocked || posting || undefined}
          aria-describedby={reason && content !== '' ? reasonId : undefined}
        >
          Post
        </Button>
      </div>
    </form>
  );
}
