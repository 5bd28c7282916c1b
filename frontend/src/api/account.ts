/**
 * The account as a whole: its export, and deleting it. Spread into the auth
 * API, since deleting ends the session the client holds.
 */
import type { ApiClient } from './client';
import { query } from './paths';
import type { MessageResponse } from './types';

/** The export as a whole (the parts merged), as it is saved. */
export interface ExportDocument {
  format: 'intentional-social-export';
  version: number;
  exported_at: string;
  profile?: Record<string, unknown>;
  posts?: unknown[];
  comments?: unknown[];
  reactions?: unknown[];
  connections?: unknown[];
  tags?: unknown[];
  requests?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  /** A later version may add more. */
  [key: string]: unknown;
}

/** One part of GET /api/account/export; `next_cursor` asks for the next part (null: the last). */
export interface ExportPart extends ExportDocument {
  next_cursor: string | null;
}

/** How DELETE /api/account is confirmed: the password, or the code emailed for it. */
export type DeletionConfirmation = { password: string } | { code: string };

export function accountEndpoints(client: ApiClient) {
  return {
    /** One part of the export: the first without a cursor, then each `next_cursor` in turn. */
    exportPart(cursor: string | null = null, signal?: AbortSignal): Promise<ExportPart> {
      return client.request(`/account/export${query({ cursor })}`, { auth: 'required', signal });
    },

    /** Emails a code to the account's own address, to delete it without the password (202). */
    requestDeletionCode(): Promise<MessageResponse | undefined> {
      return client.request('/account/deletion-code', { method: 'POST', auth: 'required' });
    },

    /**
     * Deletes the account for good (204). The server ends every session and
     * clears the refresh cookie; the token this client holds is forgotten too.
     */
    async deleteAccount(confirmation: DeletionConfirmation): Promise<void> {
      await client.request('/account', { method: 'DELETE', body: confirmation, auth: 'required' });
      client.setAccessToken(null);
    },
  };
}
