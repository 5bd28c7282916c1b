/**
 * Reports: telling an operator about a person, a post or a comment, and the
 * moderation desk where operators answer them. Spread into the social API.
 *
 * The reported person is never told who reported them. Only operators
 * (`User.operator`) may use the /moderation endpoints; for anyone else the
 * server refuses them.
 */
import type { Call } from './conversation';
import { query, seg, withCursor } from './paths';
import type { ModerationReport, NewReport, PageInfo, ReportStatus } from './types';

export type ReportsPage = { reports: ModerationReport[] } & PageInfo;

export function reportEndpoints(call: Call) {
  const moderation = '/moderation';

  return {
    /**
     * 201 with the report's id. `409 already_reported` when the caller already
     * has an open report on it; 404 when it is not (or no longer) visible to them.
     */
    report(input: NewReport): Promise<{ id: string }> {
      return call('/reports', { method: 'POST', body: input });
    },

    /* ------------------------------------------------- moderation */

    /** Open reports oldest first, closed ones newest first. */
    async listReports(status: ReportStatus, cursor: string | null = null, signal?: AbortSignal): Promise<ReportsPage> {
      return withCursor(await call<ReportsPage>(`${moderation}/reports${query({ status, cursor })}`, { signal }));
    },

    /** Closes the report without acting on it (204). */
    dismissReport(id: string, note?: string): Promise<void> {
      return call(`${moderation}/reports/${seg(id)}/dismiss`, { method: 'POST', body: note ? { note } : {} });
    },

    /** Removes a post; its author is emailed `reason` (204). */
    removePost(id: string, reason: string): Promise<void> {
      return call(`${moderation}/posts/${seg(id)}`, { method: 'DELETE', body: { reason } });
    },

    /** Removes a comment; its author is emailed `reason` (204). */
    removeComment(postId: string, id: string, reason: string): Promise<void> {
      return call(`${moderation}/posts/${seg(postId)}/comments/${seg(id)}`, { method: 'DELETE', body: { reason } });
    },

    suspendUser(id: string, reason: string): Promise<void> {
      return call(`${moderation}/users/${seg(id)}/suspend`, { method: 'POST', body: { reason } });
    },

    unsuspendUser(id: string): Promise<void> {
      return call(`${moderation}/users/${seg(id)}/unsuspend`, { method: 'POST' });
    },
  };
}
