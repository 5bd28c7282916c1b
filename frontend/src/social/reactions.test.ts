import { describe, expect, it } from 'vitest';
import { afterTap, totalReactions } from './reactions';

describe('afterTap', () => {
  it('adds a reaction, changes it to another kind, and takes it back', () => {
    const none = { counts: { heart: 2 }, mine: null };
    const hearted = afterTap(none, 'heart');
    expect(hearted).toEqual({ counts: { heart: 3 }, mine: 'heart' });

    // One reaction a person: a new kind replaces the old one.
    const laughed = afterTap(hearted, 'laugh');
    expect(laughed).toEqual({ counts: { heart: 2, laugh: 1 }, mine: 'laugh' });

    // Tapping one's current kind takes it back; a kind at zero leaves the counts.
    expect(afterTap(laughed, 'laugh')).toEqual({ counts: { heart: 2 }, mine: null });
    expect(totalReactions(laughed)).toBe(3);
  });
});
