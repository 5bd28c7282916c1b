import type { Audience, Connection, Post, Tag } from '../api/types';
import { formatNumber, joinOr } from '../lib/text';

export interface AudienceChoice {
  audience: Audience;
  /** Chosen tags (only used when audience is `tags`). */
  tagIds: readonly string[];
}

/** People who would see a post shared with any of `tagIds`: connections tagged with at least one. */
export function peopleTagged(connections: readonly Connection[], tagIds: readonly string[]): number {
  if (tagIds.length === 0) return 0;
  const wanted = new Set(tagIds);
  return connections.filter((c) => c.tag_ids.some((id) => wanted.has(id))).length;
}

/** The names of the chosen tags, in the order the person's tag list has them. */
function tagNames(tagIds: readonly string[], tags: readonly Tag[]): string[] {
  const chosen = new Set(tagIds);
  return tags.filter((t) => chosen.has(t.id)).map((t) => t.name);
}

/**
 * Who will see a post, in words, from the current connections and tags, e.g.
 * "Visible to 12 people tagged Family or Work". `connections` null = still loading.
 */
export function describeAudience(
  choice: AudienceChoice,
  connections: readonly Connection[] | null,
  tags: readonly Tag[],
): string {
  if (choice.audience === 'private') return 'Visible only to you.';

  if (choice.audience === 'connections') {
    if (connections === null) return 'Visible to all your connections.';
    const n = connections.length;
    if (n === 0) return 'Visible to your connections. You have none yet, so only you will see it for now.';
    if (n === 1) return 'Visible to your 1 connection.';
    return `Visible to all ${formatNumber(n)} of your connections.`;
  }

  if (choice.tagIds.length === 0) return 'Choose at least one tag to say who will see it.';
  const names = joinOr(tagNames(choice.tagIds, tags));
  if (connections === null) return `Visible to the people you tagged ${names}.`;
  const n = peopleTagged(connections, choice.tagIds);
  if (n === 0) return `Visible to nobody yet: no one is tagged ${names}. Only you will see it for now.`;
  return `Visible to ${formatNumber(n)} ${n === 1 ? 'person' : 'people'} tagged ${names}.`;
}

/** The short badge on one's own posts: "All connections", "Family, Work", "Only me". */
export function audienceBadge(post: Pick<Post, 'audience' | 'tag_ids'>, tagsById: ReadonlyMap<string, Tag>): string {
  if (post.audience === 'connections') return 'All connections';
  if (post.audience === 'private') return 'Only me';
  const names = (post.tag_ids ?? []).map((id) => tagsById.get(id)?.name).filter(Boolean);
  return names.length ? `Tagged ${names.join(', ')}` : 'Tagged (tags deleted)';
}

/** The badge's longer explanation (its tooltip and accessible description). */
export function audienceExplanation(post: Pick<Post, 'audience' | 'tag_ids'>, tagsById: ReadonlyMap<string, Tag>): string {
  if (post.audience === 'connections') return 'Shared with all your connections.';
  if (post.audience === 'private') return 'Only you can see this post.';
  const names = (post.tag_ids ?? []).map((id) => tagsById.get(id)?.name).filter((n): n is string => !!n);
  return names.length
    ? `Shared with the people you tag ${joinOr(names)}.`
    : 'Shared with tags you have since deleted: only you can see it now.';
}
