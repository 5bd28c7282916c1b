/**
 * The connect / cancel / accept / decline / disconnect / block / unblock
 * buttons as a state machine:
 *
 *   none ──connect──▶ outgoing_request ──cancel──▶ none
 *     │                    (they accept) ▶ connected
 *     └─connect (they had asked us)──▶ connected
 *   incoming_request ──accept──▶ connected
 *                    ──decline─▶ none
 *   connected ──disconnect (confirmed)──▶ none
 *   any of these ──block (confirmed)──▶ blocked ──unblock──▶ none
 *
 * Blocking ends the connection and any request between the two; unblocking
 * does not bring them back.
 */
import type { Relationship, SendRequestResponse } from '../api/types';

export type RelationshipAction = 'connect' | 'cancel' | 'accept' | 'decline' | 'disconnect' | 'unblock' | 'block';

/** The actions offered in each state, in the order the buttons appear (blocking is offered apart: see `canBlock`). */
export function actionsFor(relationship: Relationship): RelationshipAction[] {
  switch (relationship) {
    case 'none':
      return ['connect'];
    case 'outgoing_request':
      return ['cancel'];
    case 'incoming_request':
      return ['accept', 'decline'];
    case 'connected':
      return ['disconnect'];
    case 'blocked':
      return ['unblock'];
    case 'self':
      return [];
  }
}

/** Anyone but oneself can be blocked, once. */
export function canBlock(relationship: Relationship): boolean {
  return relationship !== 'self' && relationship !== 'blocked';
}

/** The state after an action succeeded. */
export function afterAction(action: RelationshipAction, result?: SendRequestResponse): Relationship {
  switch (action) {
    case 'connect':
      return result?.status === 'connected' ? 'connected' : 'outgoing_request';
    case 'accept':
      return 'connected';
    case 'block':
      return 'blocked';
    case 'cancel':
    case 'decline':
    case 'disconnect':
    case 'unblock':
      return 'none';
  }
}

/**
 * What a refusal tells us about the real state, when the screen was out of
 * date: `null` when it says nothing certain (then the screen asks the server).
 */
export function afterError(code: string): Relationship | 'reload' | null {
  switch (code) {
    case 'already_connected':
      return 'connected';
    case 'request_already_sent':
      return 'outgoing_request';
    case 'you_blocked_them':
      return 'blocked';
    case 'request_not_found':
    case 'not_connected':
    case 'connection_not_found':
    case 'not_blocked':
      return 'reload';
    default:
      return null;
  }
}
