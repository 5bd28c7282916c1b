import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

export interface TextFieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'children'> {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  hint?: ReactNode;
  /** Shown under the input and announced (role="alert"). */
  error?: string | null;
  ref?: Ref<HTMLInputElement>;
  /** Rendered next to the input, e.g. a show/hide button. */
  addon?: ReactNode;
  /** Rendered under the hint, e.g. a strength meter. */
  extra?: ReactNode;
  /** Extra ids the input is described by (e.g. the strength meter). */
  describedBy?: string;
}

export function TextField({
  id,
  label,
  value,
  onValueChange,
  hint,
  error,
  ref,
  addon,
  extra,
  describedBy,
  className,
  ...inputProps
}: TextFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = [errorId, hintId, describedBy].filter(Boolean).join(' ') || undefined;

  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className={addon ? 'field__control field__control--addon' : 'field__control'}>
        <input
          id={id}
          ref={ref}
          className={`input${className ? ` ${className}` : ''}`}
          value={value}
          onChange={(event) => onValueChange(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          {...inputProps}
        />
        {addon}
      </div>
      {error ? (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {extra}
    </div>
  );
}
