/** Shapes of the JSON the API returns. Field names follow the wire format. */

export interface User {
  id: string;
  username: string;
  email: string;
  /** RFC 3339 timestamp. */
  created_at: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Lifetime of the access token, in seconds. */
  expires_in: number;
}

/** Returned by register, login and refresh. */
export interface SessionResponse extends TokenResponse {
  user: User;
}

export interface MessageResponse {
  message: string;
}

/** The body of every error response: {"error":{"code","message"}}. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
  };
}
