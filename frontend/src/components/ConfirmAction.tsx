import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import { Button } from './Button';

interface ConfirmActionProps {
  /** The button that asks first, e.g. "Delete". */
  label: ReactNode;
  /** Accessible name for the first button when `label` alone is ambiguous (e.g. "Delete post"). */
  ariaLabel?: string;
  /** What will happen, in words. */
  question: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  cancelLabel?: string;
  variant?: 'danger' | 'secondary' | 'link';
  /** Runs the action; a thrown error is shown next to the buttons. */
  onConfirm: () => Promise<void>;
  className?: string;
  /** What the action needs besides a yes (a reason to give), under the question. */
  children?: ReactNode;
  /** Checked before `onConfirm`: false stops there (the field then says why). */
  validate?: () => boolean;
}

/**
 * A destructive action with an inline confirmation (no window.confirm): the
 * question appears in place, takes focus, and Escape or "Cancel" backs out.
 */
export function ConfirmAction({
  label,
  ariaLabel,
  question,
  confirmLabel,
  busyLabel,
  cancelLabel = 'Cancel',
  variant = 'danger',
  onConfirm,
  className,
  children,
  validate,
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const questionId = useId();
  const groupRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    if (open) groupRef.current?.focus();
    else if (wasOpen.current) triggerRef.current?.focus();
    wasOpen.current = open;
  }, [open]);

  function close() {
    if (busy) return;
    setOpen(false);
    setError(null);
  }

  async function confirm() {
    if (busy) return;
    if (validate && !validate()) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      // The caller usually removes this item; if it stays, fold the question away.
      setBusy(false);
      setOpen(false);
    } catch (e) {
      setBusy(false);
      if (isApiError(e) && e.code === 'session_expired') return;
      setError(errorMessage(e));
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  }

  if (!open) {
    return (
      <Button
        ref={triggerRef}
        variant={variant === 'danger' ? 'danger-quiet' : variant}
        className={className}
        aria-label={ariaLabel}
        onClick={() => setOpen(true)}
      >
        {label}
      </Button>
    );
  }

  return (
    <div
      ref={groupRef}
      className={variant === 'danger' ? 'confirm' : 'confirm confirm--calm'}
      role="group"
      aria-labelledby={questionId}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <p id={questionId} className="confirm__question">
        {question}
      </p>
      {children}
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <Button variant={variant === 'danger' ? 'danger' : 'primary'} busy={busy} busyLabel={busyLabel} onClick={() => void confirm()}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" onClick={close} aria-disabled={busy || undefined}>
          {cancelLabel}
        </Button>
      </div>
    </div>
  );
}

interface DeleteActionProps {
  /** e.g. "Delete post". */
  ariaLabel: string;
  question: string;
  confirmLabel: string;
  /** Asks the server to delete. */
  remove: () => Promise<void>;
  onDeleted: () => void;
}

/** "Delete" with its confirmation, for something in a list; already gone (404) counts as done. */
export function DeleteAction({ ariaLabel, question, confirmLabel, remove, onDeleted }: DeleteActionProps) {
  return (
    <ConfirmAction
      label="Delete"
      ariaLabel={ariaLabel}
      className="button--small"
      question={question}
      confirmLabel={confirmLabel}
      busyLabel="Deleting…"
      cancelLabel="Keep it"
      onConfirm={async () => {
        try {
          await remove();
        } catch (e) {
          // Already gone (deleted elsewhere): the outcome wanted.
          if (!(isApiError(e) && e.status === 404)) throw e;
        }
        onDeleted();
      }}
    />
  );
}
