import { useCallback, useEffect, useRef } from 'react';

/**
 * Returns `focusLater(id)`: focuses that element once the render the caller is
 * about to cause has happened (the field may exist only then, on a new step).
 * `null` cancels a pending request.
 */
export function useFocusAfterRender(): (id: string | null) => void {
  const wanted = useRef<string | null>(null);
  useEffect(() => {
    const id = wanted.current;
    if (id === null) return;
    wanted.current = null;
    document.getElementById(id)?.focus();
  });
  return useCallback((id: string | null) => {
    wanted.current = id;
  }, []);
}
