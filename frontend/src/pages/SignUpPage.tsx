import { useReducer, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { HOME_PATH } from '../auth/guards';
import { FormError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { CodeField } from '../components/CodeField';
import { NEW_PASSWORD_HINT, PasswordField } from '../components/PasswordField';
import { ResendButton } from '../components/ResendButton';
import { TextField } from '../components/TextField';
import { useFocusAfterRender } from '../lib/useFocusAfterRender';
import { USERNAME_MAX } from '../lib/validation';
import { Link, safeRedirectPath, useNavigate, useSearchParam } from '../router/router';
import {
  firstInvalidField,
  initialSignUpState,
  signUpReducer,
  type SignUpAction,
  type SignUpField,
  type SignUpState,
} from './signUpFlow';

const FIELD_IDS: Record<SignUpField, string> = {
  email: 'sign-up-email',
  username: 'sign-up-username',
  password: 'sign-up-password',
  code: 'sign-up-code',
};

/** Where someone who joined through an invitation lands: they are connected to the inviter (or asked by them). */
export const AFTER_INVITATION_PATH = '/connections';

interface SignUpPageProps {
  /** The token of the invitation link this sign-up came through (/join?invitation=…). */
  invitation?: string | null;
}

export function SignUpPage({ invitation = null }: SignUpPageProps) {
  const { api, signedIn } = useAuth();
  const navigate = useNavigate();
  const next = useSearchParam('next');
  const [state, dispatch] = useReducer(signUpReducer, initialSignUpState);
  const focusLater = useFocusAfterRender();

  /**
   * Dispatches `action` on top of `from` and returns the resulting state (the
   * reducer is pure, so this is what React will render), remembering which
   * field to focus afterwards.
   */
  function apply(from: SignUpState, action: SignUpAction): SignUpState {
    const result = signUpReducer(from, action);
    dispatch(action);
    const field = firstInvalidField(result);
    focusLater(field === null ? null : FIELD_IDS[field]);
    return result;
  }

  async function requestCode() {
    if (state.pending !== null) return;
    const started = apply(state, { type: 'requestCode', now: Date.now() });
    if (started.pending !== 'code') return;
    try {
      await api.requestSignUpCode(started.values.email);
      dispatch({ type: 'codeSent', now: Date.now() });
    } catch (error) {
      apply(started, { type: 'codeFailed', error, now: Date.now() });
    }
  }

  async function register() {
    if (state.pending !== null) return;
    // Once the invitation was refused, the same button registers without it.
    const started = apply(state, { type: 'register', withoutInvitation: state.invitationProblem !== null });
    if (started.pending !== 'register') return;
    const token = invitation && !started.invitationDropped ? invitation : null;
    try {
      const session = await api.register({
        email: started.values.email,
        username: started.values.username,
        password: started.values.password,
        code: started.values.code,
        ...(token ? { invitation: token } : {}),
      });
      signedIn(session);
      navigate(token ? AFTER_INVITATION_PATH : safeRedirectPath(next, HOME_PATH), { replace: true });
    } catch (error) {
      apply(started, { type: 'registerFailed', error });
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>, action: () => Promise<void>) {
    event.preventDefault();
    void action();
  }

  const edit = (field: SignUpField) => (value: string) => dispatch({ type: 'edit', field, value });
  const { values, errors, pending, step } = state;
  const resend = (
    <ResendButton
      availableAt={state.resendAvailableAt}
      busy={pending === 'code'}
      onResend={() => void requestCode()}
    />
  );
  const changeEmail = (
    <Button variant="link" onClick={() => dispatch({ type: 'changeEmail' })}>
      Use a different email
    </Button>
  );
  const signInHref = next ? `/sign-in?${new URLSearchParams({ next }).toString()}` : '/sign-in';

  if (step === 'email') {
    return (
      <Page
        title={invitation ? 'You were invited' : 'Create an account'}
        intro={
          invitation ? (
            <p>
              Someone you know invited you to Intentional Social. Step 1 of 2. First, your email (the address the
              invitation came to): we’ll send you a code to confirm it.
            </p>
          ) : (
            <p>Step 1 of 2. First, your email: we’ll send you a code to confirm it.</p>
          )
        }
      >
        <form className="form" noValidate onSubmit={(event) => onSubmit(event, requestCode)}>
          <TextField
            id={FIELD_IDS.email}
            label="Email"
            type="email"
            value={values.email}
            onValueChange={edit('email')}
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
            Already have an account? <Link to={signInHref}>Sign in</Link>
          </p>
        </div>
      </Page>
    );
  }

  return (
    <Page
      title="Check your email"
      intro={
        <p>
          Step 2 of 2. We sent a 6-digit code to <strong className="break">{values.email}</strong>. It
          can take a minute to arrive; if it doesn’t, look in your spam folder. Type it below, with
          the username and password you would like.
        </p>
      }
    >
      <form className="form" noValidate onSubmit={(event) => onSubmit(event, register)}>
        <CodeField
          id={FIELD_IDS.code}
          value={values.code}
          onValueChange={edit('code')}
          error={errors.code}
        />
        <TextField
          id={FIELD_IDS.username}
          label="Username"
          value={values.username}
          onValueChange={edit('username')}
          error={errors.username}
          hint="3–30 characters: letters a–z, digits and underscores."
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={USERNAME_MAX}
          required
        />
        <PasswordField
          id={FIELD_IDS.password}
          label="Password"
          isNew
          userInputs={[values.username, values.email]}
          value={values.password}
          onValueChange={edit('password')}
          error={errors.password}
          hint={NEW_PASSWORD_HINT}
          required
        />
        <Notice>{state.notice}</Notice>
        <FormError message={errors.form} />
        {state.invitationProblem ? (
          <div className="notice notice--error" role="alert">
            <p>{state.invitationProblem}</p>
            <p>
              You can still create your account without it; you just won’t be connected to the person who invited
              you. If it came to another address, use that one instead.
            </p>
          </div>
        ) : null}
        <Button type="submit" busy={pending === 'register'} busyLabel="Creating account…">
          {state.invitationProblem ? 'Sign up without the invitation' : 'Create account'}
        </Button>
      </form>
      <div className="card__footer actions">
        {resend}
        {changeEmail}
      </div>
    </Page>
  );
}

/** /join?invitation=<token>: the sign-up flow, carrying the invitation from the email. */
export function JoinPage() {
  const invitation = useSearchParam('invitation');
  return <SignUpPage invitation={invitation?.trim() || null} />;
}
