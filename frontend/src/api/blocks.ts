/**
 * Blocking: keeping someone out. Spread into the social API.
 *
 * A block ends any connection and any request between the two at once; the
 * blocked person can no longer find the blocker, open their profile, see
 * anything they share or ask to connect, and is never told. Unblocking does
 * not reconnect anyone.
 */
import type { Call } from './conversation';
import { seg } from './paths';
import type { Block } from './types';

export function blockEndpoints(call: Call) {
  return {
    /** 201 without a body; blocking again is the same as blocking once. */
    async block(userId: string): Promise<void> {
      await call('/blocks', { method: 'POST', body: { user_id: userId } });
    },

    /** Everyone the caller blocked, newest first. */
    async listBlocks(signal?: AbortSignal): Promise<Block[]> {
      const body = await call<{ blocks: Block[] }>('/blocks', { signal });
      return body.blocks;
    },

    /** 204; `404 not_blocked` when that person is not blocked (any more). */
    unblock(userId: string): Promise<void> {
      return call(`/blocks/${seg(userId)}`, { method: 'DELETE' });
    },
  };
}
