import { useState, type FormEvent } from 'react';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { NEW_PASSWORD_HINT, PasswordField } from '../components/PasswordField';
import {
  AUTH_FIELD_PATTERNS,
  CURRENT_PASSWORD_PATTERN,
  collectErrors,
  firstErrorId,
  hasErrors,
  serverErrors,
  type FieldErrors,
} from '../lib/formErrors';
import { useFocusAfterRender } from '../lib/useFocusAfterRender';
import { validateNewPassword, validateRequired } from '../lib/validation';

type Field = 'current' | 'password';

/** In screen order. */
const FIELD_IDS: Record<Field, string> = {
  current: 'change-password-current',
  password: 'change-password-new',
};

/** "wrong_password" is about the current one; "weak_password" about the new one. */
const MATCHERS = { current: CURRENT_PASSWORD_PATTERN, password: AUTH_FIELD_PATTERNS.password };

export const PASSWORD_CHANGED =
  'Your password has been changed. Your other devices were signed out; this one stays signed in.';

/** The Account screen's "Change password": the current one, then the new one with its strength. */
export function ChangePassword({ user }: { user: User }) {
  const { api } = useAuth();
  const focusLater = useFocusAfterRender();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [pending, setPending] = useState(false);
  const [changed, setChanged] = useState(false);

  const edit = (field: Field, set: (value: string) => void) => (value: string) => {
    set(value);
    setErrors(({ [field]: _, ...rest }) => rest);
  };

  function fail(found: FieldErrors<Field>) {
    setErrors(found);
    focusLater(firstErrorId(found, FIELD_IDS));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setChanged(false);
    const invalid = collectErrors<Field>({
      current: validateRequired(current, 'Enter your current password.'),
      password: validateNewPassword(password),
    });
    if (hasErrors(invalid)) return fail(invalid);
    setErrors({});
    setPending(true);
    try {
      await api.changePassword({ current_password: current, new_password: password });
      setCurrent('');
      setPassword('');
      setChanged(true);
    } catch (error) {
      fail(serverErrors<Field>(error, MATCHERS));
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="section" aria-labelledby="change-password-heading">
      <h2 id="change-password-heading" className="section__title">
        Change password
      </h2>
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        {/* Tells a password manager which account's password this is. */}
        <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
        <PasswordField
          id={FIELD_IDS.current}
          label="Current password"
          value={current}
          onValueChange={edit('current', setCurrent)}
          error={errors.current}
          required
        />
        <PasswordField
          id={FIELD_IDS.password}
          label="New password"
          isNew
          userInputs={[user.username, user.email]}
          value={password}
          onValueChange={edit('password', setPassword)}
          error={errors.password}
          hint={NEW_PASSWORD_HINT}
          required
        />
        <Notice>{changed ? PASSWORD_CHANGED : null}</Notice>
        <FormError message={errors.form} />
        <div className="actions">
          <Button type="submit" busy={pending} busyLabel="Changing password…">
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
