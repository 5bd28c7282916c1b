import { useState, type FormEvent } from 'react';
import { isApiError } from '../api/errors';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { GOODBYE_PATH } from '../auth/guards';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { CodeField } from '../components/CodeField';
import { PasswordField } from '../components/PasswordField';
import { ResendButton } from '../components/ResendButton';
import {
  AUTH_FIELD_PATTERNS,
  collectErrors,
  firstErrorId,
  hasErrors,
  serverErrors,
  type FieldErrors,
} from '../lib/formErrors';
import { useFocusAfterRender } from '../lib/useFocusAfterRender';
import { normalizeCode, validateCode, validateRequired } from '../lib/validation';
import { RESEND_COOLDOWN_MS, cooldownAfter } from '../pages/signUpFlow';
import type { GoodbyeState } from '../pages/GoodbyePage';
import { useNavigate } from '../router/router';
import { EXPORT_BUTTON_ID } from './ExportData';

type Field = 'password' | 'code' | 'understood';

/** How the person confirms: their password, or (forgotten) a code emailed to them. */
type Method = 'password' | 'code';

/** In screen order. */
const FIELD_IDS: Record<Field, string> = {
  password: 'delete-account-password',
  code: 'delete-account-code',
  understood: 'delete-account-understood',
};

const HEADING_ID = 'delete-account-heading';

/** "wrong_password" belongs to the password; invalid_code, code_expired and code_exhausted to the code. */
const MATCHERS = { password: AUTH_FIELD_PATTERNS.password, code: AUTH_FIELD_PATTERNS.code };

export const NOT_UNDERSTOOD = 'Tick the box to confirm that you understand this cannot be undone.';

/**
 * The Account screen's last section: what deleting the account removes, then
 * the confirmation (the password, or a code emailed for it), an explicit "I
 * understand" and the danger button. On success the server has ended every
 * session; the app forgets its own and shows the goodbye page.
 */
export function DeleteAccount({ user }: { user: User }) {
  const { api, forgetSession } = useAuth();
  const navigate = useNavigate();
  const focusLater = useFocusAfterRender();
  const [method, setMethod] = useState<Method>('password');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<'code' | 'delete' | null>(null);
  const [resendAvailableAt, setResendAvailableAt] = useState(0);

  const edit = (field: Field, set: (value: string) => void) => (value: string) => {
    set(value);
    setErrors(({ [field]: _, form: __, ...rest }) => rest);
  };

  function fail(found: FieldErrors<Field>) {
    setErrors(found);
    focusLater(firstErrorId(found, FIELD_IDS));
  }

  async function sendCode(isResend: boolean) {
    if (pending !== null) return;
    setPending('code');
    setErrors({});
    setNotice(null);
    try {
      await api.requestDeletionCode();
      setResendAvailableAt(Date.now() + RESEND_COOLDOWN_MS);
      setMethod('code');
      if (isResend) setNotice(`We sent a new code to ${user.email}.`);
      else focusLater(FIELD_IDS.code);
    } catch (error) {
      setResendAvailableAt((current) => cooldownAfter(error, Date.now(), current));
      if (isApiError(error) && error.code === 'session_expired') return;
      fail(serverErrors<Field>(error, {}));
    } finally {
      setPending(null);
    }
  }

  function usePassword() {
    if (pending !== null) return;
    setMethod('password');
    setCode('');
    setErrors({});
    setNotice(null);
    focusLater(FIELD_IDS.password);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending !== null) return;
    const invalid = collectErrors<Field>({
      password: method === 'password' ? validateRequired(password, 'Enter your password.') : null,
      code: method === 'code' ? validateCode(code) : null,
      understood: understood ? null : NOT_UNDERSTOOD,
    });
    if (hasErrors(invalid)) return fail(invalid);
    setErrors({});
    setPending('delete');
    try {
      await api.deleteAccount(method === 'password' ? { password } : { code });
    } catch (error) {
      setPending(null);
      // An ended session is handled by the auth guard (back to sign-in).
      if (isApiError(error) && error.code === 'session_expired') return;
      fail(serverErrors<Field>(error, MATCHERS));
      return;
    }
    // The goodbye page first, so no screen that needs the account is shown without it.
    navigate(GOODBYE_PATH, { replace: true, state: { email: user.email } satisfies GoodbyeState });
    forgetSession();
  }

  const understoodErrorId = errors.understood ? `${FIELD_IDS.understood}-error` : undefined;

  return (
    <section className="section section--danger" aria-labelledby={HEADING_ID}>
      <h2 id={HEADING_ID} className="section__title">
        Delete your account
      </h2>
      <p>Deleting your account removes it for good. This is what will be deleted:</p>
      <ul className="bullets">
        <li>your profile, your email address and your username;</li>
        <li>all your posts, comments and reactions;</li>
        <li>your connections: they will no longer see you or anything you shared;</li>
        <li>your tags, your requests and your notifications.</li>
      </ul>
      <p>
        <strong>This cannot be undone.</strong> To keep a copy of your data, download it first with “Download my data”
        above.{' '}
        <Button variant="link" onClick={() => document.getElementById(EXPORT_BUTTON_ID)?.focus()}>
          Go to “Download my data”
        </Button>
      </p>
      <p>
        Afterwards, we send a confirmation to <strong className="break">{user.email}</strong>. Your username is held for
        30 days, so nobody can use it to pretend to be you; after that, it becomes available to others again.
      </p>

      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        {method === 'password' ? (
          <>
            {/* Tells a password manager which account's password this is. */}
            <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
            <PasswordField
              id={FIELD_IDS.password}
              label="Your password"
              hint="To confirm that it’s you."
              value={password}
              onValueChange={edit('password', setPassword)}
              error={errors.password}
              required
            />
            <div className="actions">
              <Button
                variant="link"
                busy={pending === 'code'}
                busyLabel="Sending a code…"
                onClick={() => void sendCode(false)}
              >
                Forgot your password?
              </Button>
            </div>
          </>
        ) : (
          <>
            <p>
              We sent a code to <strong className="break">{user.email}</strong>. It can take a minute to arrive; if it
              doesn’t, look in your spam folder.
            </p>
            <CodeField
              id={FIELD_IDS.code}
              value={code}
              onValueChange={edit('code', (value) => setCode(normalizeCode(value)))}
              error={errors.code}
            />
            <Notice>{notice}</Notice>
            <div className="actions">
              <ResendButton
                availableAt={resendAvailableAt}
                busy={pending === 'code'}
                onResend={() => void sendCode(true)}
              />
              <Button variant="link" onClick={usePassword}>
                Use my password instead
              </Button>
            </div>
          </>
        )}

        <div className={`field${errors.understood ? ' field--invalid' : ''}`}>
          <label className="check" htmlFor={FIELD_IDS.understood}>
            <input
              id={FIELD_IDS.understood}
              type="checkbox"
              checked={understood}
              onChange={(event) => {
                setUnderstood(event.target.checked);
                setErrors(({ understood: _, ...rest }) => rest);
              }}
              aria-invalid={errors.understood ? true : undefined}
              aria-describedby={understoodErrorId}
              required
            />
            <span>I understand this cannot be undone</span>
          </label>
          {errors.understood ? (
            <p id={understoodErrorId} className="field__error" role="alert">
              {errors.understood}
            </p>
          ) : null}
        </div>

        <FormError message={errors.form} />
        <div className="actions">
          <Button type="submit" variant="danger" busy={pending === 'delete'} busyLabel="Deleting your account…">
            Delete my account
          </Button>
        </div>
      </form>
    </section>
  );
}
