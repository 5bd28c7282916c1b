import { accountEndpoints } from './account';
import type { ApiClient } from './client';
import type { MessageResponse, SessionResponse, User } from './types';

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  code: string;
  /** The token from an invitation link (/join?invitation=…); left out without one. */
  invitation?: string;
}

export interface LoginInput {
  /** Username or email. */
  login: string;
  password: string;
}

export interface PasswordResetInput {
  email: string;
  code: string;
  new_password: string;
}

export interface PasswordChangeInput {
  current_password: string;
  new_password: string;
}

export interface EmailChangeInput {
  new_email: string;
  /** The current password. */
  password: string;
}

export interface EmailChangeConfirmInput {
  new_email: string;
  code: string;
}

/** What PATCH /auth/me changes: a field left out is kept, null removes it. */
export interface ProfileChanges {
  display_name?: string | null;
  bio?: string | null;
}

/** The /api/auth/* endpoints. Successful sign-ins keep the access token in the client. */
export function createAuthApi(client: ApiClient) {
  const remember = (session: SessionResponse): SessionResponse => {
    client.setAccessToken(session.access_token);
    return session;
  };

  return {
    client,

    requestSignUpCode(email: string): Promise<MessageResponse> {
      return client.request('/auth/otp', { method: 'POST', body: { email } });
    },

    async register(input: RegisterInput): Promise<SessionResponse> {
      return remember(await client.request('/auth/register', { method: 'POST', body: input }));
    },

    async login(input: LoginInput): Promise<SessionResponse> {
      return remember(await client.request('/auth/login', { method: 'POST', body: input }));
    },

    /** Restores a session from the refresh cookie (on app load). */
    restoreSession(): Promise<SessionResponse> {
      return client.refresh();
    },

    me(signal?: AbortSignal): Promise<User> {
      return client.request('/auth/me', { auth: 'required', signal });
    },

    /** The display name and bio; returns the account as it now is. */
    updateProfile(changes: ProfileChanges): Promise<User> {
      return client.request('/auth/me', { method: 'PATCH', body: changes, auth: 'required' });
    },

    /** Ends this session (the refresh cookie). The token is forgotten only on success. */
    async logout(): Promise<void> {
      await client.request('/auth/logout', { method: 'POST', auth: 'optional' });
      client.setAccessToken(null);
    },

    /** Ends every session of this account, on every device. */
    async logoutAll(): Promise<void> {
      await client.request('/auth/logout-all', { method: 'POST', auth: 'required' });
      client.setAccessToken(null);
    },

    requestPasswordReset(email: string): Promise<void> {
      return client.request('/auth/password-reset', { method: 'POST', body: { email } });
    },

    confirmPasswordReset(input: PasswordResetInput): Promise<void> {
      return client.request('/auth/password-reset/confirm', { method: 'POST', body: input });
    },

    /**
     * Ends every other session of the account; this one stays (the answer sets
     * a new refresh cookie, and the access token stays valid until it expires).
     */
    changePassword(input: PasswordChangeInput): Promise<void> {
      return client.request('/auth/password', { method: 'POST', body: input, auth: 'required' });
    },

    /** Sends a code to the new address (the answer never says whether it is taken). */
    requestEmailChange(input: EmailChangeInput): Promise<void> {
      return client.request('/auth/email', { method: 'POST', body: input, auth: 'required' });
    },

    /** Returns the account with its new address; a notice goes to the old one. */
    confirmEmailChange(input: EmailChangeConfirmInput): Promise<User> {
      return client.request('/auth/email/confirm', { method: 'POST', body: input, auth: 'required' });
    },

    ...accountEndpoints(client),
  };
}

export type AuthApi = ReturnType<typeof createAuthApi>;
