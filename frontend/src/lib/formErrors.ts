import { errorMessage, isApiError } from '../api/errors';

/** Per-field messages plus one for the form as a whole. */
export type FieldErrors<F extends string> = Partial<Record<F | 'form', string>>;

/** Which field a server error code belongs to, e.g. "username_taken" -> username. */
export type FieldMatchers<F extends string> = Partial<Record<F, RegExp>>;

/** Matchers for the codes the auth API uses; unknown codes belong to the form. */
export const AUTH_FIELD_PATTERNS = {
  email: /(^|_)email(_|$)/,
  username: /(^|_)username(_|$)/,
  password: /(^|_)password(_|$)/,
  code: /(^|_)(code|otp)(_|$)/,
} as const;

export function fieldForError<F extends string>(error: unknown, matchers: FieldMatchers<F>): F | null {
  if (!isApiError(error)) return null;
  for (const [field, pattern] of Object.entries(matchers) as [F, RegExp | undefined][]) {
    if (pattern?.test(error.code)) return field;
  }
  return null;
}

/** Places a thrown error next to the field that caused it, or on the form. */
export function serverErrors<F extends string>(
  error: unknown,
  matchers: FieldMatchers<F>,
): FieldErrors<F> {
  const field = fieldForError(error, matchers);
  const message = errorMessage(error);
  return (field === null ? { form: message } : { [field]: message }) as FieldErrors<F>;
}

/** Collects client-side validation messages, dropping the fields that passed. */
export function collectErrors<F extends string>(
  checks: Partial<Record<F, string | null>>,
): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const [field, message] of Object.entries(checks) as [F, string | null | undefined][]) {
    if (message) errors[field] = message;
  }
  return errors;
}

export function hasErrors<F extends string>(errors: FieldErrors<F>): boolean {
  return Object.values(errors).some(Boolean);
}

/** A wrong current password (when the form also has a new one, whose codes say just "password"). */
export const CURRENT_PASSWORD_PATTERN = /(^|_)(wrong_password|current_password|credentials)(_|$)/;

/** The id of the first field with an error, in the order of `ids` (the screen's order). */
export function firstErrorId<F extends string>(errors: FieldErrors<F>, ids: Record<F, string>): string | null {
  const field = (Object.keys(ids) as F[]).find((f) => errors[f]);
  return field === undefined ? null : ids[field];
}
