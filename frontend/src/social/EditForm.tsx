import type { FormEvent, ReactNode } from 'react';
import { Button } from '../components/Button';

interface EditFormProps {
  /** The form's accessible name, when its field does not name it. */
  label?: string;
  saving: boolean;
  /** Saving is not possible yet (the reason is shown at the field). */
  blocked: boolean;
  saveLabel?: string;
  onSave: () => void;
  onCancel: () => void;
  children: ReactNode;
}

/** An in-place edit with "Save" and "Cancel"; Escape backs out too (unless saving). */
export function EditForm({ label, saving, blocked, saveLabel = 'Save', onSave, onCancel, children }: EditFormProps) {
  return (
    <form
      className="post__editor"
      noValidate
      aria-label={label}
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        onSave();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !saving) {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      {children}
      <div className="actions">
        <Button type="submit" small busy={saving} busyLabel="Saving…" aria-disabled={blocked || undefined}>
          {saveLabel}
        </Button>
        <Button variant="secondary" small onClick={onCancel} aria-disabled={saving || undefined}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
