import { ApiError, errorFromResponse, isApiError, networkError } from './errors';
import type { SessionResponse } from './types';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `none`: no Authorization header (public endpoints such as login).
 * - `optional`: send the access token if we have one, but a 401 is just an error.
 * - `required`: send the access token; on a 401 refresh once and retry once.
 */
export type AuthMode = 'none' | 'optional' | 'required';

export interface RequestOptions {
  method?: HttpMethod;
  /** Serialised as JSON. */
  body?: unknown;
  auth?: AuthMode;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** Prefix for every path, e.g. "/api". No trailing slash needed. */
  baseUrl?: string;
  /** Injected for tests; defaults to the global fetch at call time. */
  fetch?: typeof fetch;
  /** Clock, injected for tests (used for HTTP-date Retry-After values). */
  now?: () => number;
  /**
   * Where the "a session may exist" marker lives; defaults to localStorage.
   * `null`: no storage (the marker then always says yes, as if unknown).
   */
  storage?: MarkerStorage | null;
}

export type MarkerStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The localStorage key of the "a session may exist" marker: "1" or absent.
 * Not a secret and not a credential (the refresh cookie, HttpOnly, is).
 */
export const SESSION_MARKER_KEY = 'intentional-social.session';

export type SessionExpiredListener = (error: ApiError) => void;

export const REFRESH_PATH = '/auth/refresh';

const SESSION_EXPIRED_MESSAGE = 'Your session has ended. Please sign in again.';

/** A refresh that failed because the server rejected the session (not a blip). */
function isAuthRejection(error: ApiError): boolean {
  return error.status === 400 || error.status === 401 || error.status === 403;
}

/**
 * Thin JSON client for the Intentional Social API.
 *
 * The access token lives only in this object's memory: never in
 * localStorage/sessionStorage or a cookie. The long-lived refresh token is an
 * HttpOnly cookie the browser sends to /api/auth/* on its own.
 *
 * Script cannot see that cookie, so a marker in localStorage says whether a
 * session may exist: set whenever the client holds an access token (sign-in,
 * sign-up, refresh), removed when the session is known to be over (sign-out,
 * a refused refresh, a refused fresh token). Without it the app skips the
 * refresh on load, which for an anonymous visitor could only answer 401 (a
 * failed request in the console). A network failure keeps the marker.
 */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #storage: MarkerStorage | null;
  #accessToken: string | null = null;
  #refreshing: Promise<SessionResponse> | null = null;
  readonly #expiredListeners = new Set<SessionExpiredListener>();

  constructor(options: ApiClientOptions = {}) {
    this.#baseUrl = (options.baseUrl ?? '/api').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
  }

  get accessToken(): string | null {
    return this.#accessToken;
  }

  /** `null` ends the session here: the token is forgotten and the marker removed. */
  setAccessToken(token: string | null): void {
    this.#accessToken = token;
    this.#mark(token !== null);
  }

  /**
   * Whether a session may exist (the refresh cookie is worth a try): false
   * only when this browser has signed in nowhere or its session is over.
   */
  get sessionMayExist(): boolean {
    if (this.#storage === null) return true;
    try {
      return this.#storage.getItem(SESSION_MARKER_KEY) !== null;
    } catch {
      return true;
    }
  }

  /** Called when an authenticated call failed and the session could not be renewed. */
  onSessionExpired(listener: SessionExpiredListener): () => void {
    this.#expiredListeners.add(listener);
    return () => {
      this.#expiredListeners.delete(listener);
    };
  }

  /**
   * Exchanges the refresh cookie for a new access token. Concurrent callers
   * share one request, so a burst of 401s triggers a single refresh.
   */
  refresh(): Promise<SessionResponse> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? 'none';
    if (auth !== 'required') {
      const token = auth === 'optional' ? this.#accessToken : null;
      return this.#handle<T>(await this.#send(path, options, token));
    }

    // Without a token there is no point in a request that must fail: refresh first.
    let refreshed = false;
    let token = this.#accessToken;
    if (token === null) {
      token = await this.#refreshOrExpire();
      refreshed = true;
    }

    let response = await this.#send(path, options, token);
    if (response.status === 401 && !refreshed) {
      token = await this.#refreshOrExpire();
      response = await this.#send(path, options, token);
    }
    if (response.status === 401) {
      // Even a freshly issued token was refused: the session is gone.
      const error = await this.#errorOf(response);
      this.#expire(error);
      throw error;
    }
    return this.#handle<T>(response);
  }

  async #doRefresh(): Promise<SessionResponse> {
    try {
      const response = await this.#send(REFRESH_PATH, { method: 'POST' }, null);
      const session = await this.#handle<SessionResponse>(response);
      this.setAccessToken(session.access_token);
      return session;
    } catch (error) {
      if (isApiError(error) && isAuthRejection(error)) this.setAccessToken(null);
      throw error;
    }
  }

  /** Refresh for an authenticated call; an auth rejection ends the session. */
  async #refreshOrExpire(): Promise<string> {
    try {
      return (await this.refresh()).access_token;
    } catch (error) {
      if (isApiError(error) && isAuthRejection(error)) {
        const expired = new ApiError({
          code: 'session_expired',
          message: SESSION_EXPIRED_MESSAGE,
          status: 401,
        });
        this.#expire(expired);
        throw expired;
      }
      // Offline, rate limited or a server error: the session may still be fine.
      throw error;
    }
  }

  #expire(error: ApiError): void {
    this.setAccessToken(null);
    for (const listener of this.#expiredListeners) listener(error);
  }

  /** Best effort: storage may be full, disabled or blocked (private modes). */
  #mark(present: boolean): void {
    try {
      if (present) this.#storage?.setItem(SESSION_MARKER_KEY, '1');
      else this.#storage?.removeItem(SESSION_MARKER_KEY);
    } catch {
      // Without a marker the next load shows the signed-out screens.
    }
  }

  async #send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers = new Headers({ Accept: 'application/json' });
    if (options.body !== undefined) headers.set('Content-Type', 'application/json');
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    try {
      return await this.#fetch(`${this.#baseUrl}${path}`, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // Same-origin API: the browser attaches the HttpOnly refresh cookie itself.
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (error) {
      // Let callers tell a deliberate cancel apart from a failure.
      if (options.signal?.aborted) throw error;
      throw networkError();
    }
  }

  async #handle<T>(response: Response): Promise<T> {
    if (!response.ok) throw await this.#errorOf(response);
    if (response.status === 204) return undefined as T;
    const body = await readBody(response);
    if (body === undefined) {
      // Accepted (202), or created with nothing to return (201, a block): no body is expected.
      if (response.status === 202 || response.status === 201) return undefined as T;
      throw new ApiError({
        code: 'invalid_response',
        message: 'The server sent an unexpected response. Please try again.',
        status: response.status,
      });
    }
    return body as T;
  }

  async #errorOf(response: Response): Promise<ApiError> {
    return errorFromResponse(response.status, response.headers, await readBody(response), this.#now());
  }
}

/** localStorage, or null where reading it throws (blocked storage). */
function defaultStorage(): MarkerStorage | null {
  try {
    // The one thing kept in Web Storage: the marker, never a token.
    // eslint-disable-next-line no-restricted-globals
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The parsed JSON body, or undefined when it is empty, unreadable or not JSON. */
async function readBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
