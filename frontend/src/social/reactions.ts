import type { ReactionKind, Reactions } from '../api/types';

/** How each kind looks and is named (the name is what assistive technology says). */
export const REACTION_FACES: Record<ReactionKind, { emoji: string; name: string }> = {
  heart: { emoji: '❤️', name: 'heart' },
  thumbs_up: { emoji: '👍', name: 'thumbs up' },
  laugh: { emoji: '😂', name: 'laugh' },
  wow: { emoji: '😮', name: 'wow' },
  sad: { emoji: '😢', name: 'sad' },
  thanks: { emoji: '🙏', name: 'thanks' },
};

export function totalReactions(reactions: Reactions): number {
  return Object.values(reactions.counts).reduce((sum, n) => sum + n, 0);
}

/**
 * What a tap on `kind` makes of the reactions, as the server will: one
 * reaction a person, so a new kind replaces the old one, and tapping one's
 * current kind takes it back. Kinds that reach zero leave `counts`.
 */
export function afterTap(reactions: Reactions, kind: ReactionKind): Reactions {
  const counts = { ...reactions.counts };
  const less = (k: ReactionKind) => {
    const n = (counts[k] ?? 0) - 1;
    if (n > 0) counts[k] = n;
    else delete counts[k];
  };
  if (reactions.mine === kind) {
    less(kind);
    return { counts, mine: null };
  }
  if (reactions.mine !== null) less(reactions.mine);
  counts[kind] = (counts[kind] ?? 0) + 1;
  return { counts, mine: kind };
}
