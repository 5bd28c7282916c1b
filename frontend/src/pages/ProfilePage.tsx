import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { CharacterCount } from '../components/CharacterCount';
import { Page } from '../components/Page';
import { PersonName } from '../components/PersonName';
import { TextField } from '../components/TextField';
import { collectErrors, firstErrorId, hasErrors, type FieldErrors } from '../lib/formErrors';
import { charCount } from '../lib/text';
import { useFocusAfterRender } from '../lib/useFocusAfterRender';
import { BIO_MAX, DISPLAY_NAME_MAX, validateBio, validateDisplayName } from '../lib/validation';
import { Link } from '../router/router';
import { ContentField } from '../social/ContentField';

type Field = 'displayName' | 'bio';

/** In screen order. */
const FIELD_IDS: Record<Field, string> = {
  displayName: 'profile-display-name',
  bio: 'profile-bio',
};

export const PROFILE_SAVED = 'Your profile has been saved.';

/**
 * Which field a refusal is about: the server's message names it ("Field
 * `display_name`: …"), and so may its code (invalid_display_name, invalid_bio).
 */
function fieldOf(error: unknown): Field | null {
  if (!isApiError(error)) return null;
  const said = `${error.code} ${error.message}`;
  if (/display_name/.test(said)) return 'displayName';
  if (/\bbio\b|_bio\b/.test(said)) return 'bio';
  return null;
}

/** The wire form: trimmed; empty means none (null removes it). */
function wanted(displayName: string, bio: string): { display_name: string | null; bio: string | null } {
  const name = displayName.trim();
  const text = bio.trim();
  return { display_name: name === '' ? null : name, bio: text === '' ? null : text };
}

/** /profile: one's display name and bio, as the people one knows see them. */
export function ProfilePage() {
  const { api, state, updateUser } = useAuth();
  const focusLater = useFocusAfterRender();
  const user = state.status === 'authenticated' ? state.user : null;
  const [displayName, setDisplayName] = useState(user?.display_name ?? '');
  const [bio, setBio] = useState(user?.bio ?? '');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState(false);
  // Once the person types, a fresher copy from the server no longer replaces what they wrote.
  const touched = useRef(false);

  // The current details (another device may have changed them).
  useEffect(() => {
    const controller = new AbortController();
    api.me(controller.signal).then(
      (fresh) => {
        setLoadError(null);
        updateUser(fresh);
        if (!touched.current) {
          setDisplayName(fresh.display_name ?? '');
          setBio(fresh.bio ?? '');
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(error) && error.code === 'session_expired') return;
        setLoadError(errorMessage(error));
      },
    );
    return () => controller.abort();
  }, [api, updateUser]);

  if (user === null) return null;

  const edit = (field: Field, set: (value: string) => void) => (value: string) => {
    touched.current = true;
    set(value);
    setSaved(false);
    setErrors(({ [field]: _, ...rest }) => rest);
  };

  function fail(found: FieldErrors<Field>) {
    setErrors(found);
    focusLater(firstErrorId(found, FIELD_IDS));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setSaved(false);
    const invalid = collectErrors<Field>({
      displayName: validateDisplayName(displayName),
      bio: validateBio(bio),
    });
    if (hasErrors(invalid)) return fail(invalid);
    setErrors({});
    setPending(true);
    try {
      const updated: User = await api.updateProfile(wanted(displayName, bio));
      updateUser(updated);
      setDisplayName(updated.display_name ?? '');
      setBio(updated.bio ?? '');
      touched.current = false;
      setSaved(true);
    } catch (error) {
      const field = fieldOf(error);
      const message = errorMessage(error);
      fail(field === null ? { form: message } : { [field]: message });
    } finally {
      setPending(false);
    }
  }

  const nameCount = charCount(displayName.trim());
  const nameCounterId = `${FIELD_IDS.displayName}-counter`;

  return (
    <Page
      title="Your profile"
      width="wide"
      intro={
        <p>
          How the people you know see you. Your display name is shown beside your username to your connections and to
          people you ask to connect. Your bio is shown to your connections only.
        </p>
      }
    >
      <FormError message={loadError} />
      <dl className="details">
        <div>
          <dt>Username</dt>
          <dd>
            @{user.username}{' '}
            <span className="details__note">Usernames can’t be changed.</span>
          </dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd className="break">
            {user.email}{' '}
            <span className="details__note">
              Only you see this. <Link to="/account">Change it on your account</Link>.
            </span>
          </dd>
        </div>
        <div>
          <dt>Shown as</dt>
          <dd>
            <PersonName user={user} />
          </dd>
        </div>
      </dl>

      <form className="form profile-form" noValidate onSubmit={(event) => void submit(event)}>
        <TextField
          id={FIELD_IDS.displayName}
          label="Display name"
          value={displayName}
          onValueChange={edit('displayName', setDisplayName)}
          error={errors.displayName}
          hint={`Your name as you like to be called, up to ${DISPLAY_NAME_MAX} characters. Leave it empty to be shown by your username only.`}
          autoComplete="name"
          enterKeyHint="done"
          aria-invalid={errors.displayName || nameCount > DISPLAY_NAME_MAX ? true : undefined}
          describedBy={nameCounterId}
          extra={<CharacterCount id={nameCounterId} count={nameCount} max={DISPLAY_NAME_MAX} near={10} />}
        />
        <ContentField
          id={FIELD_IDS.bio}
          label="Bio"
          value={bio}
          onValueChange={edit('bio', setBio)}
          error={errors.bio}
          max={BIO_MAX}
          near={50}
          rows={4}
          hint="A few words about yourself, for your connections. Leave it empty for none."
        />
        <Notice>{saved ? PROFILE_SAVED : null}</Notice>
        <FormError message={errors.form} />
        <div className="actions">
          <Button type="submit" busy={pending} busyLabel="Saving…">
            Save profile
          </Button>
        </div>
      </form>
    </Page>
  );
}
