/** Length in Unicode code points, as the server counts characters. */
export function charCount(value: string): number {
  return [...value].length;
}

/** "5,000" in the reader's locale. */
export function formatNumber(n: number): string {
  return n.toLocaleString();
}

/** "Family", "Family or Work", "Family, Friends or Work". */
export function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** Control characters the server refuses in posts (all but newline and tab). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value.replace(/\r\n?/g, '\n'));
}

/** Any control character at all, line breaks and tabs too (text that must stay on one line). */
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasAnyControlCharacter(value: string): boolean {
  return ANY_CONTROL.test(value);
}

/** The text-direction controls the server refuses (U+202A–U+202E, U+2066–U+2069). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

export function hasBidiControls(value: string): boolean {
  return BIDI_CONTROL.test(value);
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

/**
 * Splits post text into plain runs and web links. Only http(s) addresses
 * become links; trailing punctuation stays text ("see https://x.org.").
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    // Trailing sentence punctuation and unbalanced closing brackets are not part of the address.
    for (;;) {
      const trimmed = url.replace(/[.,;:!?'*]+$/, '');
      const unbalanced =
        trimmed.endsWith(')') && (trimmed.match(/\(/g)?.length ?? 0) < (trimmed.match(/\)/g)?.length ?? 0);
      const next = unbalanced ? trimmed.slice(0, -1) : trimmed;
      if (next === url) break;
      url = next;
    }
    const start = match.index;
    let href: string | null = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = null;
    }
    if (href === null || url.length <= 'https://'.length) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
