/**
 * Inviting a friend by email: one email with a link valid for 14 days;
 * joining through it connects the two. Spread into the social API.
 */
import type { Call } from './conversation';
import { seg } from './paths';
import type { Invitation, MessageResponse } from './types';

export function invitationEndpoints(call: Call) {
  return {
    /**
     * 202 with a message, whatever the address: the answer never says whether
     * it already has an account. 400 invalid_email; 429 past the daily limit.
     */
    invite(email: string): Promise<MessageResponse | undefined> {
      return call('/invitations', { method: 'POST', body: { email } });
    },

    async listInvitations(signal?: AbortSignal): Promise<Invitation[]> {
      return (await call<{ invitations: Invitation[] }>('/invitations', { signal })).invitations;
    },

    /** Cancels a pending invitation: its link stops working (204). */
    cancelInvitation(id: string): Promise<void> {
      return call(`/invitations/${seg(id)}`, { method: 'DELETE' });
    },
  };
}
