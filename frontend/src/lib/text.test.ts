import { describe, expect, it } from 'vitest';
import { charCount, hasControlCharacters, joinOr, splitLinks } from './text';

describe('splitLinks', () => {
  it('turns http(s) addresses into links and leaves trailing punctuation as text', () => {
    expect(splitLinks('See https://example.org/a?b=1. Or (http://x.io/y), ok')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: '. Or (' },
      { kind: 'link', text: 'http://x.io/y', href: 'http://x.io/y' },
      { kind: 'text', text: '), ok' },
    ]);
  });

  it('keeps balanced parentheses that belong to the address', () => {
    const [, link] = splitLinks('wiki https://en.wikipedia.org/wiki/Heron_(bird) here');
    expect(link).toMatchObject({ kind: 'link', text: 'https://en.wikipedia.org/wiki/Heron_(bird)' });
  });

  it('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.org', 'https://']) {
      expect(splitLinks(text).every((p) => p.kind === 'text')).toBe(true);
    }
  });
});

describe('text helpers', () => {
  it('counts code points like the server', () => {
    expect(charCount('🙂🙂')).toBe(2);
    expect(charCount('e\u0301')).toBe(2);
  });

  it('spots control characters but allows newline and tab', () => {
    expect(hasControlCharacters('a\nb\tc\r\nd')).toBe(false);
    expect(hasControlCharacters('a\u0007b')).toBe(true);
  });

  it('joins names with "or"', () => {
    expect(joinOr(['Family'])).toBe('Family');
    expect(joinOr(['Family', 'Work'])).toBe('Family or Work');
    expect(joinOr(['Family', 'Friends', 'Work'])).toBe('Family, Friends or Work');
  });
});
