import type { Ref } from 'react';
import { CharacterCount, countState } from '../components/CharacterCount';
import { charCount } from '../lib/text';
import { POST_MAX } from './palette';

/** Characters as the server counts them: code points, after trimming. */
export function postLength(content: string): number {
  return charCount(content.trim());
}

export type ContentProblem = 'empty' | 'too-long' | null;

/** `max`: 5,000 for a post, 2,000 for a comment. */
export function contentProblem(content: string, max: number = POST_MAX): ContentProblem {
  const n = postLength(content);
  if (n === 0) return 'empty';
  if (n > max) return 'too-long';
  return null;
}

interface ContentFieldProps {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  error?: string | null;
  rows?: number;
  placeholder?: string;
  ref?: Ref<HTMLTextAreaElement>;
  /** Visually hide the label (it is still announced). */
  hideLabel?: boolean;
  /** The most characters allowed (a post's by default). */
  max?: number;
  /** How few characters left count as nearly full (100 by default). */
  near?: number;
  /** Under the field, part of its description. */
  hint?: string;
}

/**
 * The post text with its character counter. The counter is part of the
 * field's description; a separate live region speaks only when the count
 * nears or passes the limit, not on every keystroke.
 */
export function ContentField({
  id,
  label,
  value,
  onValueChange,
  error,
  rows = 4,
  placeholder,
  ref,
  hideLabel,
  max = POST_MAX,
  near = 100,
  hint,
}: ContentFieldProps) {
  const n = postLength(value);
  const state = countState(n, max, near);
  const counterId = `${id}-counter`;
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;

  return (
    <div className={`field${error || state === 'over' ? ' field--invalid' : ''}`}>
      <label className={hideLabel ? 'visually-hidden' : 'field__label'} htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        ref={ref}
        className="input textarea"
        rows={rows}
        value={value}
        placeholder={placeholder}
        onChange={(event) => onValueChange(event.target.value)}
        aria-invalid={error || state === 'over' ? true : undefined}
        aria-describedby={[errorId, counterId, hintId].filter(Boolean).join(' ')}
      />
      <CharacterCount id={counterId} count={n} max={max} near={near} />
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
