/**
 * Step logic of the sign-up flow, as a pure reducer (no I/O, no clock):
 *
 *   email ──code sent──▶ details ──registered──▶ (Feed)
 *     ▲                     │
 *     └────change email─────┘
 *
 * The details step is the "check your email" message itself, with the code
 * field under it: the person types the code where they are told about it.
 * The screen performs the requests and reports their outcome as actions.
 *
 * Through an invitation link (/join) the registration carries its token. If
 * the server refuses the invitation (expired, cancelled, used, or sent to
 * another address), its message is kept and the person may register without
 * it; using a different email offers the invitation again.
 */
import { errorMessage, isApiError } from '../api/errors';
import {
  AUTH_FIELD_PATTERNS,
  collectErrors,
  fieldForError,
  serverErrors,
  type FieldErrors,
} from '../lib/formErrors';
import {
  normalizeCode,
  normalizeEmail,
  normalizeUsername,
  validateCode,
  validateEmail,
  validateNewPassword,
  validateUsername,
} from '../lib/validation';

export type SignUpStep = 'email' | 'details';
export type SignUpField = 'email' | 'username' | 'password' | 'code';

/** Wait this long before offering "Resend code" again (unless the server says longer). */
export const RESEND_COOLDOWN_MS = 30_000;

export interface SignUpState {
  step: SignUpStep;
  values: Record<SignUpField, string>;
  errors: FieldErrors<SignUpField>;
  /** The request in flight, if any. */
  pending: 'code' | 'register' | null;
  /** A calm confirmation, e.g. after a resend. */
  notice: string | null;
  /** Epoch ms before which "Resend code" stays unavailable. */
  resendAvailableAt: number;
  /** Why the server refused the invitation this sign-up came with (null: not refused). */
  invitationProblem: string | null;
  /** The person chose to sign up without the invitation. */
  invitationDropped: boolean;
}

/** The code register answers with when the invitation cannot be used. */
export const INVITATION_NOT_VALID = 'invitation_not_valid';

export type SignUpAction =
  | { type: 'edit'; field: SignUpField; value: string }
  /** Validate the email and, if fine, start sending a code (first time or resend). */
  | { type: 'requestCode'; now: number }
  | { type: 'codeSent'; now: number }
  | { type: 'codeFailed'; error: unknown; now: number }
  | { type: 'changeEmail' }
  /** Validate username, password and code and, if fine, start registering (`withoutInvitation`: drop it). */
  | { type: 'register'; withoutInvitation?: boolean }
  | { type: 'registerFailed'; error: unknown };

export const initialSignUpState: SignUpState = {
  step: 'email',
  values: { email: '', username: '', password: '', code: '' },
  errors: {},
  pending: null,
  notice: null,
  resendAvailableAt: 0,
  invitationProblem: null,
  invitationDropped: false,
};

function normalize(field: SignUpField, value: string): string {
  if (field === 'username') return normalizeUsername(value);
  if (field === 'code') return normalizeCode(value);
  return value;
}

export function canResend(state: SignUpState, now: number): boolean {
  return state.pending === null && now >= state.resendAvailableAt;
}

/** When the server rate-limits, honour its Retry-After for the resend button too. */
export function cooldownAfter(error: unknown, now: number, current: number): number {
  if (isApiError(error) && error.status === 429 && error.retryAfter !== null) {
    return Math.max(current, now + error.retryAfter * 1000);
  }
  return current;
}

export function signUpReducer(state: SignUpState, action: SignUpAction): SignUpState {
  switch (action.type) {
    case 'edit': {
      const errors = { ...state.errors };
      delete errors[action.field];
      return {
        ...state,
        values: { ...state.values, [action.field]: normalize(action.field, action.value) },
        errors,
      };
    }

    case 'requestCode': {
      if (state.pending !== null) return state;
      const isResend = state.step !== 'email';
      if (isResend && !canResend(state, action.now)) return state;
      const error = validateEmail(state.values.email);
      if (error !== null) return { ...state, step: 'email', errors: { email: error }, notice: null };
      return {
        ...state,
        values: { ...state.values, email: normalizeEmail(state.values.email) },
        pending: 'code',
        errors: isResend ? { ...state.errors, form: undefined, code: undefined } : {},
        notice: null,
      };
    }

    case 'codeSent': {
      if (state.pending !== 'code') return state;
      const isResend = state.step !== 'email';
      return {
        ...state,
        step: isResend ? state.step : 'details',
        pending: null,
        notice: isResend ? `We sent a new code to ${state.values.email}.` : null,
        resendAvailableAt: action.now + RESEND_COOLDOWN_MS,
      };
    }

    case 'codeFailed': {
      if (state.pending !== 'code') return state;
      const resendAvailableAt = cooldownAfter(action.error, action.now, state.resendAvailableAt);
      const field = fieldForError(action.error, { email: AUTH_FIELD_PATTERNS.email });
      // A problem with the address itself is fixed on the email step.
      const step = field === 'email' ? 'email' : state.step;
      return {
        ...state,
        step,
        pending: null,
        errors: serverErrors<SignUpField>(action.error, { email: AUTH_FIELD_PATTERNS.email }),
        resendAvailableAt,
      };
    }

    case 'changeEmail':
      if (state.pending !== null) return state;
      return {
        ...state,
        step: 'email',
        values: { ...state.values, code: '' },
        errors: {},
        notice: null,
        // A new address gets its code right away.
        resendAvailableAt: 0,
        // It may be the one the invitation was sent to.
        invitationProblem: null,
        invitationDropped: false,
      };

    case 'register': {
      if (state.step !== 'details' || state.pending !== null) return state;
      const errors = collectErrors<SignUpField>({
        username: validateUsername(state.values.username),
        password: validateNewPassword(state.values.password),
        code: validateCode(state.values.code),
      });
      if (Object.keys(errors).length > 0) return { ...state, errors, notice: null };
      const dropped = action.withoutInvitation === true;
      return {
        ...state,
        pending: 'register',
        errors: {},
        notice: null,
        invitationProblem: dropped ? null : state.invitationProblem,
        invitationDropped: state.invitationDropped || dropped,
      };
    }

    case 'registerFailed': {
      if (state.pending !== 'register') return state;
      if (isApiError(action.error) && action.error.code === INVITATION_NOT_VALID) {
        // Not a mistake in the form: the same details can register without the invitation.
        return { ...state, pending: null, errors: {}, notice: null, invitationProblem: errorMessage(action.error) };
      }
      const errors = serverErrors<SignUpField>(action.error, AUTH_FIELD_PATTERNS);
      return {
        ...state,
        // e.g. "email_taken": go back to where the address can be changed.
        step: errors.email ? 'email' : 'details',
        pending: null,
        errors,
        notice: null,
      };
    }
  }
}

/** The first field (in screen order) that has an error on the current step. */
export function firstInvalidField(state: SignUpState): SignUpField | null {
  const order: SignUpField[] = state.step === 'details' ? ['code', 'username', 'password'] : ['email'];
  return order.find((field) => state.errors[field]) ?? null;
}
