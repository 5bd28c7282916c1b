import type { ReactNode } from 'react';

/** A form-level error, announced when it appears. */
export function FormError({ message, id }: { message?: string | null; id?: string }) {
  if (!message) return null;
  return (
    <div id={id} className="notice notice--error" role="alert">
      {message}
    </div>
  );
}

/** A calm confirmation or piece of information, announced politely. */
export function Notice({ children }: { children?: ReactNode }) {
  if (!children) return null;
  return (
    <div className="notice notice--info" role="status">
      {children}
    </div>
  );
}

/** A short error beside the control it is about (smaller than a form's), announced when it appears. */
export function InlineError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p className="field__error" role="alert">
      {message}
    </p>
  );
}
