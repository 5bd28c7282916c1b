import { useState, type FormEvent } from 'react';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { CodeField } from '../components/CodeField';
import { PasswordField } from '../components/PasswordField';
import { ResendButton } from '../components/ResendButton';
import { TextField } from '../components/TextField';
import { AUTH_FIELD_PATTERNS, collectErrors, firstErrorId, hasErrors, serverErrors, type FieldErrors } from '../lib/formErrors';
import { useFocusAfterRender } from '../lib/useFocusAfterRender';
import { normalizeCode, normalizeEmail, validateCode, validateEmail, validateRequired } from '../lib/validation';
import { RESEND_COOLDOWN_MS, cooldownAfter } from '../pages/signUpFlow';

type Field = 'email' | 'password' | 'code';

/** In screen order. */
const FIELD_IDS: Record<Field, string> = {
  email: 'change-email-address',
  password: 'change-email-password',
  code: 'change-email-code',
};

const HEADING_ID = 'change-email-heading';

/** Two steps, like sign-up: the new address with the password, then the code sent to it. */
type Step = 'address' | 'code';

/**
 * The Account screen's "Change email": the code goes to the new address, and
 * the screen shows the new address once it is confirmed.
 */
export function ChangeEmail({ user }: { user: User }) {
  const { api, updateUser } = useAuth();
  const focusLater = useFocusAfterRender();
  const [step, setStep] = useState<Step>('address');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<'code' | 'confirm' | null>(null);
  const [resendAvailableAt, setResendAvailableAt] = useState(0);

  const edit = (field: Field, set: (value: string) => void) => (value: string) => {
    set(value);
    setErrors(({ [field]: _, ...rest }) => rest);
  };

  /** Shows the errors (on the address step if one is about the address or password), focusing the first. */
  function fail(found: FieldErrors<Field>) {
    if (found.email || found.password) setStep('address');
    setErrors(found);
    focusLater(firstErrorId(found, FIELD_IDS));
  }

  async function sendCode(isResend: boolean) {
    if (pending !== null) return;
    const address = normalizeEmail(email);
    const invalid = collectErrors<Field>({
      email:
        validateEmail(address) ??
        (address.toLowerCase() === user.email.toLowerCase() ? 'This is already your email address.' : null),
      password: validateRequired(password, 'Enter your current password.'),
    });
    setNotice(null);
    if (hasErrors(invalid)) return fail(invalid);
    setEmail(address);
    setErrors({});
    setPending('code');
    try {
      await api.requestEmailChange({ new_email: address, password });
      setResendAvailableAt(Date.now() + RESEND_COOLDOWN_MS);
      if (isResend) {
        setNotice(`We sent a new code to ${address}.`);
      } else {
        setStep('code');
        focusLater(FIELD_IDS.code);
      }
    } catch (error) {
      setResendAvailableAt((current) => cooldownAfter(error, Date.now(), current));
      fail(serverErrors<Field>(error, AUTH_FIELD_PATTERNS));
    } finally {
      setPending(null);
    }
  }

  async function confirm() {
    if (pending !== null) return;
    const invalid = collectErrors<Field>({ code: validateCode(code) });
    setNotice(null);
    if (hasErrors(invalid)) return fail(invalid);
    setErrors({});
    setPending('confirm');
    try {
      const updated = await api.confirmEmailChange({ new_email: email, code });
      updateUser(updated);
      setStep('address');
      setEmail('');
      setPassword('');
      setCode('');
      setResendAvailableAt(0);
      setNotice(`Your email address is now ${updated.email}. We let ${user.email} know about the change.`);
      // The button that was pressed has gone: start again at this section.
      focusLater(HEADING_ID);
    } catch (error) {
      // "email_taken" goes back to the address step, with the reason beside the address.
      fail(serverErrors<Field>(error, AUTH_FIELD_PATTERNS));
    } finally {
      setPending(null);
    }
  }

  function changeAddress() {
    if (pending !== null) return;
    setStep('address');
    setCode('');
    setErrors({});
    setNotice(null);
    // A new address gets its code right away.
    setResendAvailableAt(0);
    focusLater(FIELD_IDS.email);
  }

  function submit(event: FormEvent<HTMLFormElement>, action: () => Promise<void>) {
    event.preventDefault();
    void action();
  }

  return (
    <section className="section" aria-labelledby={HEADING_ID}>
      <h2 id={HEADING_ID} className="section__title" tabIndex={-1}>
        Change email address
      </h2>
      {step === 'address' ? (
        <form className="form" noValidate onSubmit={(event) => submit(event, () => sendCode(false))}>
          <p className="muted">We’ll send a code to the new address to confirm it.</p>
          <TextField
            id={FIELD_IDS.email}
            label="New email address"
            type="email"
            value={email}
            onValueChange={edit('email', setEmail)}
            error={errors.email}
            autoComplete="email"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          <PasswordField
            id={FIELD_IDS.password}
            label="Current password"
            value={password}
            onValueChange={edit('password', setPassword)}
            error={errors.password}
            required
          />
          <Notice>{notice}</Notice>
          <FormError message={errors.form} />
          <div className="actions">
            <Button type="submit" busy={pending === 'code'} busyLabel="Sending code…">
              Send code
            </Button>
          </div>
        </form>
      ) : (
        <form className="form" noValidate onSubmit={(event) => submit(event, confirm)}>
          <p>
            We sent a code to <strong className="break">{email}</strong>. It can take a minute to arrive; if it
            doesn’t, look in your spam folder.
          </p>
          <CodeField
            id={FIELD_IDS.code}
            value={code}
            onValueChange={edit('code', (value) => setCode(normalizeCode(value)))}
            error={errors.code}
          />
          <Notice>{notice}</Notice>
          <FormError message={errors.form} />
          <div className="actions">
            <Button type="submit" busy={pending === 'confirm'} busyLabel="Confirming…">
              Confirm new address
            </Button>
            <ResendButton
              availableAt={resendAvailableAt}
              busy={pending === 'code'}
              onResend={() => void sendCode(true)}
            />
            <Button variant="link" onClick={changeAddress}>
              Use a different email
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
