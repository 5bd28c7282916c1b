import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import {
  RESEND_COOLDOWN_MS,
  canResend,
  firstInvalidField,
  initialSignUpState,
  signUpReducer,
  type SignUpAction,
  type SignUpState,
} from './signUpFlow';

const T0 = 1_700_000_000_000;

function run(actions: SignUpAction[], from: SignUpState = initialSignUpState): SignUpState {
  return actions.reduce(signUpReducer, from);
}

const edit = (field: 'email' | 'username' | 'password' | 'code', value: string): SignUpAction => ({
  type: 'edit',
  field,
  value,
});

const apiErr = (status: number, code: string, message: string, retryAfter: number | null = null) =>
  new ApiError({ status, code, message, retryAfter });

/** State on the "details" step, with the code sent at T0. */
const atDetails = run([
  edit('email', '  alice@example.com '),
  { type: 'requestCode', now: T0 },
  { type: 'codeSent', now: T0 },
]);

const validDetails = [edit('username', 'alice'), edit('password', 'tidy-otter-lamp-93'), edit('code', '123456')];

describe('sign-up flow: email step', () => {
  it('rejects an invalid email without starting a request', () => {
    const state = run([edit('email', 'alice@'), { type: 'requestCode', now: T0 }]);
    expect(state.step).toBe('email');
    expect(state.pending).toBeNull();
    expect(state.errors.email).toMatch(/email address/);
    expect(firstInvalidField(state)).toBe('email');
  });

  it('starts sending a code for a valid (trimmed) email, then moves to the details (with the code field)', () => {
    const sending = run([edit('email', '  alice@example.com '), { type: 'requestCode', now: T0 }]);
    expect(sending.pending).toBe('code');
    expect(sending.values.email).toBe('alice@example.com');
    expect(sending.step).toBe('email');

    const sent = signUpReducer(sending, { type: 'codeSent', now: T0 + 500 });
    expect(sent.step).toBe('details');
    expect(sent.pending).toBeNull();
    expect(sent.resendAvailableAt).toBe(T0 + 500 + RESEND_COOLDOWN_MS);
  });

  it('ignores a second submit while the first is in flight', () => {
    const sending = run([edit('email', 'alice@example.com'), { type: 'requestCode', now: T0 }]);
    expect(signUpReducer(sending, { type: 'requestCode', now: T0 + 1 })).toBe(sending);
  });

  it('shows a server rejection of the address on the email field', () => {
    const state = run([
      edit('email', 'alice@example.com'),
      { type: 'requestCode', now: T0 },
      { type: 'codeFailed', error: apiErr(409, 'email_taken', 'That email already has an account.'), now: T0 },
    ]);
    expect(state.step).toBe('email');
    expect(state.errors).toEqual({ email: 'That email already has an account.' });
  });

  it('cannot register from the email step', () => {
    const state = run([edit('email', 'alice@example.com'), ...validDetails, { type: 'register' }]);
    expect(state.step).toBe('email');
    expect(state.pending).toBeNull();
  });
});

describe('sign-up flow: "we sent a code" step and resending', () => {
  const sent = run([
    edit('email', 'alice@example.com'),
    { type: 'requestCode', now: T0 },
    { type: 'codeSent', now: T0 },
  ]);

  it('offers resend only after the cooldown', () => {
    expect(canResend(sent, T0 + RESEND_COOLDOWN_MS - 1)).toBe(false);
    expect(signUpReducer(sent, { type: 'requestCode', now: T0 + 1000 })).toBe(sent);

    const later = T0 + RESEND_COOLDOWN_MS;
    expect(canResend(sent, later)).toBe(true);
    const resending = signUpReducer(sent, { type: 'requestCode', now: later });
    expect(resending.pending).toBe('code');

    const resent = signUpReducer(resending, { type: 'codeSent', now: later });
    expect(resent.step).toBe('details');
    expect(resent.notice).toBe('We sent a new code to alice@example.com.');
    expect(resent.resendAvailableAt).toBe(later + RESEND_COOLDOWN_MS);
  });

  it('honours Retry-After when a resend is rate limited', () => {
    const later = T0 + RESEND_COOLDOWN_MS;
    const state = run(
      [
        { type: 'requestCode', now: later },
        { type: 'codeFailed', error: apiErr(429, 'rate_limited', 'Too many codes', 90), now: later },
      ],
      sent,
    );
    expect(state.step).toBe('details');
    expect(state.resendAvailableAt).toBe(later + 90_000);
    expect(state.errors.form).toBe('Too many codes. Try again in 2 min.');
  });

  it('goes back to change the email, forgetting the code', () => {
    const back = run([edit('code', '123456'), { type: 'changeEmail' }], atDetails);
    expect(back.step).toBe('email');
    expect(back.values.code).toBe('');
    expect(back.values.email).toBe('alice@example.com');
    expect(canResend(back, T0)).toBe(true);
  });
});

describe('sign-up flow: details step', () => {
  it('lower-cases the username and keeps only six digits of the code', () => {
    const state = run([edit('username', 'Alice_W'), edit('code', '12 34-567')], atDetails);
    expect(state.values.username).toBe('alice_w');
    expect(state.values.code).toBe('123456');
  });

  it('validates every field before registering', () => {
    const state = run(
      [edit('username', 'al'), edit('password', 'short'), edit('code', '12'), { type: 'register' }],
      atDetails,
    );
    expect(state.pending).toBeNull();
    expect(state.errors.username).toMatch(/3–30/);
    expect(state.errors.password).toMatch(/at least 10/);
    expect(state.errors.code).toMatch(/6 digits/);
    // Screen order: the code field comes first, under the message about it.
    expect(firstInvalidField(state)).toBe('code');

    const fixedCode = signUpReducer(state, edit('code', '123456'));
    expect(fixedCode.errors.code).toBeUndefined();
    expect(firstInvalidField(fixedCode)).toBe('username');
  });

  it('rejects usernames with characters outside [a-z0-9_]', () => {
    const state = run([...validDetails, edit('username', 'al.ice'), { type: 'register' }], atDetails);
    expect(state.errors.username).toMatch(/letters a–z, digits and underscores/);
  });

  it('starts registering when all fields are valid', () => {
    const state = run([...validDetails, { type: 'register' }], atDetails);
    expect(state.pending).toBe('register');
    expect(state.errors).toEqual({});
  });

  it.each([
    ['invalid_code', 'code'],
    ['code_expired', 'code'],
    ['weak_password', 'password'],
    ['username_taken', 'username'],
  ] as const)('places a %s error on the %s field and stays on the step', (code, field) => {
    const state = run(
      [...validDetails, { type: 'register' }, { type: 'registerFailed', error: apiErr(400, code, `msg ${code}`) }],
      atDetails,
    );
    expect(state.step).toBe('details');
    expect(state.pending).toBeNull();
    expect(state.errors).toEqual({ [field]: `msg ${code}` });
    expect(firstInvalidField(state)).toBe(field);
  });

  it('goes back to the email step when the server rejects the address', () => {
    const state = run(
      [
        ...validDetails,
        { type: 'register' },
        { type: 'registerFailed', error: apiErr(409, 'email_taken', 'Email in use.') },
      ],
      atDetails,
    );
    expect(state.step).toBe('email');
    expect(state.errors.email).toBe('Email in use.');
  });

  it('shows other failures on the form, keeping what was typed', () => {
    const state = run(
      [
        ...validDetails,
        { type: 'register' },
        { type: 'registerFailed', error: apiErr(503, 'server_error', 'Try later.') },
      ],
      atDetails,
    );
    expect(state.step).toBe('details');
    expect(state.errors).toEqual({ form: 'Try later.' });
    expect(state.values.username).toBe('alice');
    expect(firstInvalidField(state)).toBeNull();
  });

  it('ignores a late failure when nothing is pending', () => {
    const error = apiErr(400, 'invalid_code', 'Bad code.');
    expect(signUpReducer(atDetails, { type: 'registerFailed', error })).toBe(atDetails);
  });
});

describe('sign-up flow: through an invitation', () => {
  const refused = apiErr(400, 'invitation_not_valid', 'This invitation has expired.');

  it('keeps the server’s words when the invitation is refused, with no field to blame', () => {
    const state = run([...validDetails, { type: 'register' }, { type: 'registerFailed', error: refused }], atDetails);
    expect(state.step).toBe('details');
    expect(state.pending).toBeNull();
    expect(state.errors).toEqual({});
    expect(state.invitationProblem).toBe('This invitation has expired.');
    expect(state.invitationDropped).toBe(false);
    expect(state.values.code).toBe('123456');
  });

  it('registers the same details without it when asked, and a different email offers it again', () => {
    const refusedState = run([...validDetails, { type: 'register' }, { type: 'registerFailed', error: refused }], atDetails);
    const retrying = signUpReducer(refusedState, { type: 'register', withoutInvitation: true });
    expect(retrying.pending).toBe('register');
    expect(retrying.invitationDropped).toBe(true);
    expect(retrying.invitationProblem).toBeNull();

    const failedAgain = signUpReducer(retrying, { type: 'registerFailed', error: apiErr(409, 'username_taken', 'Taken.') });
    expect(failedAgain.errors.username).toBe('Taken.');
    expect(failedAgain.invitationDropped).toBe(true);

    const back = signUpReducer(failedAgain, { type: 'changeEmail' });
    expect(back.invitationDropped).toBe(false);
    expect(back.invitationProblem).toBeNull();
  });
});
