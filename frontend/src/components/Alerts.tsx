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
