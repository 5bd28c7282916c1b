import type { ErrorBody } from './types';

export interface ApiErrorInit {
  code: string;
  message: string;
  /** HTTP status; 0 when no response arrived (network failure). */
  status: number;
  /** Seconds to wait before retrying (from Retry-After), if the server said. */
  retryAfter?: number | null;
}

/** Every failure of the API client is reported as one of these. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryAfter: number | null;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.retryAfter = init.retryAfter ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export const NETWORK_ERROR_MESSAGE =
  "Couldn't reach Intentional Social. Check your connection and try again.";

export function networkError(): ApiError {
  return new ApiError({ code: 'network_error', message: NETWORK_ERROR_MESSAGE, status: 0 });
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/**
 * Parses a Retry-After header: either delta-seconds or an HTTP date.
 * Returns whole seconds (>= 0), or null when absent or unparsable.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
  // An HTTP date always names its month ("Wed, 21 Oct 2015 07:28:00 GMT");
  // without this, Date.parse would happily read "-5" as a year.
  if (!/[a-z]/i.test(value)) return null;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** "45 s" under a minute, otherwise whole minutes rounded up: "2 min". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.ceil(s / 60)} min`;
}

function fallbackFor(status: number): { code: string; message: string } {
  if (status === 429) return { code: 'rate_limited', message: 'Too many attempts.' };
  if (status === 401) return { code: 'unauthorized', message: 'Please sign in again.' };
  if (status === 403) return { code: 'forbidden', message: "You don't have access to that." };
  if (status === 404) return { code: 'not_found', message: "That wasn't found." };
  if (status >= 500) {
    return {
      code: 'server_error',
      message: 'Something went wrong on our side. Please try again in a moment.',
    };
  }
  return { code: 'http_error', message: `The request failed (HTTP ${status}).` };
}

/** Builds the ApiError for a non-2xx response whose body has already been read. */
export function errorFromResponse(
  status: number,
  headers: Headers,
  body: unknown,
  now: number = Date.now(),
): ApiError {
  const retryAfter = parseRetryAfter(headers.get('Retry-After'), now);
  const { code, message } = isErrorBody(body) ? body.error : fallbackFor(status);
  return new ApiError({ code, message, status, retryAfter });
}

const UNEXPECTED_MESSAGE = 'Something unexpected happened. Please try again.';

/** The server's own words already say when ("Please wait 50 minutes…", "try again in a moment"). */
const SAYS_WHEN = /\b(wait|try again)\b/i;

/**
 * The sentence to show a person for any thrown value. When Retry-After came
 * with a message that does not say when, it appends how long to wait, e.g.
 * "Too many attempts. Try again in 2 min." (once: never after a message that does).
 */
export function errorMessage(error: unknown): string {
  if (!isApiError(error)) return UNEXPECTED_MESSAGE;
  const message = error.message.trim() || UNEXPECTED_MESSAGE;
  if (error.retryAfter === null || error.retryAfter <= 0 || SAYS_WHEN.test(message)) return message;
  const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
  return `${sentence} Try again in ${formatWait(error.retryAfter)}.`;
}
