import { splitLinks } from '../lib/text';
import { exactTime, relativeTime } from '../lib/time';

/** Post and comment text: plain text (never HTML), with web addresses made into safe links. */
export function PostText({ text }: { text: string }) {
  return (
    <p className="post__text">
      {splitLinks(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow" className="break">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

export function RelativeTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={exactTime(value)}>
      {relativeTime(value, now)}
    </time>
  );
}

/** When it was written (exact on hover), and whether it was edited since. */
export function WrittenAt({ created, edited, now }: { created: string; edited: string | null; now: number }) {
  return (
    <span className="post__meta">
      <RelativeTime value={created} now={now} />
      {edited ? (
        <>
          {' · '}
          <span title={`Edited ${exactTime(edited)}`}>edited</span>
        </>
      ) : null}
    </span>
  );
}
