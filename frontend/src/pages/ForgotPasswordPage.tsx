import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import type { SignInState } from '../auth/guards';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { CodeField } from '../components/CodeField';
import { NEW_PASSWORD_HINT, PasswordField } from '../components/PasswordField';
import { ResendButton } from '../components/ResendButton';
import { TextField } from '../components/TextField';
import { AUTH_FIELD_PATTERNS, collectErrors, hasErrors, serverErrors, type FieldErrors } from '../lib/formErrors';
import {
  normalizeCode,
  normalizeEmail,
  validateCode,
  validateEmail,
  validateNewPassword,
} from '../lib/validation';
import { Link, useNavigate } from '../router/router';
import { RESEND_COOLDOWN_MS, cooldownAfter } from './signUpFlow';

type Field = 'email' | 'code' | 'password';

const FIELD_IDS: Record<Field, string> = {
  email: 'reset-email',
  code: 'reset-code',
  password: 'reset-password',
};

const ORDER: Field[] = ['email', 'code', 'password'];

function focusFirst(errors: FieldErrors<Field>) {
  const field = ORDER.find((f) => errors[f]);
  if (field) document.getElementById(FIELD_IDS[field])?.focus();
}

export function ForgotPasswordPage() {
  const { api } = useAuth();
  const navigate = useNavigate();
  const [step, setStep] = useState<'email' | 'reset'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<'code' | 'reset' | null>(null);
  const [resendAvailableAt, setResendAvailableAt] = useState(0);

  const clear = (field: Field) => setErrors(({ [field]: _, ...rest }) => rest);

  async function sendCode(isResend: boolean) {
    if (pending !== null) return;
    const emailError = validateEmail(email);
    if (emailError) {
      setStep('email');
      setErrors({ email: emailError });
      document.getElementById(FIELD_IDS.email)?.focus();
      return;
    }
    const address = normalizeEmail(email);
    setEmail(address);
    setErrors({});
    setNotice(null);
    setPending('code');
    try {
      await api.requestPasswordReset(address);
      setResendAvailableAt(Date.now() + RESEND_COOLDOWN_MS);
      setNotice(isResend ? `We sent a new code to ${address}.` : null);
      setStep('reset');
    } catch (error) {
      setResendAvailableAt((current) => cooldownAfter(error, Date.now(), current));
      const found = serverErrors<Field>(error, { email: AUTH_FIELD_PATTERNS.email });
      if (found.email) setStep('email');
      setErrors(found);
    } finally {
      setPending(null);
    }
  }

  async function confirm() {
    if (pending !== null) return;
    const invalid = collectErrors<Field>({
      code: validateCode(code),
      password: validateNewPassword(password),
    });
    setErrors(invalid);
    setNotice(null);
    if (hasErrors(invalid)) {
      focusFirst(invalid);
      return;
    }
    setPending('reset');
    try {
      await api.confirmPasswordReset({ email, code, new_password: password });
      const state: SignInState = {
        notice: 'Your password has been changed. Sign in with your new password.',
        login: email,
      };
      navigate('/sign-in', { replace: true, state });
    } catch (error) {
      const found = serverErrors<Field>(error, AUTH_FIELD_PATTERNS);
      if (found.email) setStep('email');
      setErrors(found);
      focusFirst(found);
      setPending(null);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>, action: () => Promise<void>) {
    event.preventDefault();
    void action();
  }

  if (step === 'email') {
    return (
      <Page
        title="Reset your password"
        intro={<p>Enter the email address of your account and we’ll send you a code.</p>}
      >
        <form className="form" noValidate onSubmit={(event) => submit(event, () => sendCode(false))}>
          <TextField
            id={FIELD_IDS.email}
            label="Email"
            type="email"
            value={email}
            onValueChange={(value) => {
              setEmail(value);
              clear('email');
            }}
            error={errors.email}
            autoComplete="email"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          <FormError message={errors.form} />
          <Button type="submit" busy={pending === 'code'} busyLabel="Sending code…">
            Send code
          </Button>
        </form>
        <div className="card__footer">
          <p>
            Remembered it? <Link to="/sign-in">Sign in</Link>
          </p>
        </div>
      </Page>
    );
  }

  return (
    <Page
      title="Choose a new password"
      intro={
        <p>
          If an account uses <strong className="break">{email}</strong>, we sent it a 6-digit code.
          Enter it with your new password.
        </p>
      }
    >
      <form className="form" noValidate onSubmit={(event) => submit(event, confirm)}>
        <CodeField
          id={FIELD_IDS.code}
          value={code}
          onValueChange={(value) => {
            setCode(normalizeCode(value));
            clear('code');
          }}
          error={errors.code}
        />
        <PasswordField
          id={FIELD_IDS.password}
          label="New password"
          isNew
          userInputs={[email]}
          value={password}
          onValueChange={(value) => {
            setPassword(value);
            clear('password');
          }}
          error={errors.password}
          hint={NEW_PASSWORD_HINT}
          required
        />
        <Notice>{notice}</Notice>
        <FormError message={errors.form} />
        <Button type="submit" busy={pending === 'reset'} busyLabel="Saving…">
          Change password
        </Button>
      </form>
      <div className="card__footer actions">
        <ResendButton
          availableAt={resendAvailableAt}
          busy={pending === 'code'}
          onResend={() => void sendCode(true)}
        />
        <Button
          variant="link"
          onClick={() => {
            setStep('email');
            setCode('');
            setErrors({});
            setNotice(null);
            setResendAvailableAt(0);
          }}
        >
          Use a different email
        </Button>
      </div>
    </Page>
  );
}
