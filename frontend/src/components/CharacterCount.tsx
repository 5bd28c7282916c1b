import { formatNumber } from '../lib/text';

export type CountState = 'ok' | 'near' | 'over';

/** `near`: how few characters left count as nearly full. */
export function countState(n: number, max: number, near: number = 100): CountState {
  if (n > max) return 'over';
  if (max - n <= near) return 'near';
  return 'ok';
}

interface CharacterCountProps {
  /** The counter's id: the field lists it in aria-describedby. */
  id: string;
  count: number;
  max: number;
  /** How few characters left count as nearly full (100 by default). */
  near?: number;
}

/**
 * "12 / 50" under a field, part of its description. A separate live region
 * speaks only when the count nears or passes the limit, not on every keystroke.
 */
export function CharacterCount({ id, count, max, near = 100 }: CharacterCountProps) {
  const state = countState(count, max, near);
  return (
    <>
      <p id={id} className={`counter counter--${state}`}>
        {formatNumber(count)} / {formatNumber(max)}
        <span className="visually-hidden"> characters</span>
        {state === 'over' ? <span className="counter__over"> · {formatNumber(count - max)} too many</span> : null}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {state === 'over'
          ? `Over the ${formatNumber(max)} character limit.`
          : state === 'near'
            ? `Fewer than ${formatNumber(near)} characters left.`
            : ''}
      </p>
    </>
  );
}
