import type { TagColor } from '../api/types';

/** The fixed palette, in the order the pickers show it, with a human name for each colour. */
export const TAG_COLORS: readonly { value: TagColor; label: string }[] = [
  { value: 'family', label: 'Family (rose)' },
  { value: 'friends', label: 'Friends (amber)' },
  { value: 'inner', label: 'Inner circle (violet)' },
  { value: 'work', label: 'Work (blue)' },
  { value: 'custom', label: 'Custom (teal)' },
  { value: 'generic', label: 'Generic (grey)' },
];

export function colorLabel(color: string): string {
  return TAG_COLORS.find((c) => c.value === color)?.label ?? color;
}

/** A CSS class for a palette colour; unknown colours fall back to generic. */
export function tagClass(color: string): string {
  return TAG_COLORS.some((c) => c.value === color) ? `tag--${color}` : 'tag--generic';
}

export const TAG_NAME_MAX = 24;
export const TAGS_MAX = 50;
export const TAGS_PER_POST_MAX = 10;
export const POST_MAX = 5000;
export const COMMENT_MAX = 2000;
