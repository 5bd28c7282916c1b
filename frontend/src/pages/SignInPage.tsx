import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { HOME_PATH, readSignInState } from '../auth/guards';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { PasswordField } from '../components/PasswordField';
import { TextField } from '../components/TextField';
import { collectErrors, hasErrors, serverErrors, type FieldErrors } from '../lib/formErrors';
import { validateRequired } from '../lib/validation';
import { Link, safeRedirectPath, useLocation, useNavigate, useSearchParam } from '../router/router';

type Field = 'login' | 'password';

const FIELD_IDS: Record<Field, string> = { login: 'sign-in-login', password: 'sign-in-password' };

const MATCHERS = {
  login: /(^|_)(login|username|email)(_|$)/,
  password: /(^|_)password(_|$)/,
};

export function SignInPage() {
  const { api, signedIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const next = useSearchParam('next');
  const { notice, login: initialLogin } = readSignInState(location.state);

  const [login, setLogin] = useState(initialLogin ?? '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const invalid = collectErrors<Field>({
      login: validateRequired(login, 'Enter your username or email.'),
      password: validateRequired(password, 'Enter your password.'),
    });
    setErrors(invalid);
    if (hasErrors(invalid)) {
      document.getElementById(FIELD_IDS[invalid.login ? 'login' : 'password'])?.focus();
      return;
    }

    setPending(true);
    try {
      const session = await api.login({ login: login.trim(), password });
      signedIn(session);
      navigate(safeRedirectPath(next, HOME_PATH), { replace: true });
    } catch (error) {
      setErrors(serverErrors(error, MATCHERS));
      setPending(false);
    }
  }

  const signUpHref = next ? `/sign-up?${new URLSearchParams({ next }).toString()}` : '/sign-up';

  return (
    <Page title="Sign in" intro={<p>Welcome back.</p>}>
      <Notice>{notice}</Notice>
      <form className="form" noValidate onSubmit={(event) => void handleSubmit(event)}>
        <TextField
          id={FIELD_IDS.login}
          label="Username or email"
          value={login}
          onValueChange={(value) => {
            setLogin(value);
            setErrors(({ login: _, ...rest }) => rest);
          }}
          error={errors.login}
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          required
        />
        <PasswordField
          id={FIELD_IDS.password}
          label="Password"
          value={password}
          onValueChange={(value) => {
            setPassword(value);
            setErrors(({ password: _, ...rest }) => rest);
          }}
          error={errors.password}
          required
        />
        <FormError message={errors.form} />
        <Button type="submit" busy={pending} busyLabel="Signing in…">
          Sign in
        </Button>
      </form>
      <div className="card__footer">
        <p>
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        <p>
          New here? <Link to={signUpHref}>Create an account</Link>
        </p>
      </div>
    </Page>
  );
}
