import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import { hasControlCharacters } from '../lib/text';
import { ContentField, contentProblem } from './ContentField';
import { EditForm } from './EditForm';

export const CONTROL_CHARACTERS_MESSAGE = 'Remove the invisible control characters from the text.';

interface TextEditorProps {
  /** The text as it is now. */
  initial: string;
  label: string;
  hint?: string;
  max?: number;
  rows?: number;
  /** Saves the trimmed text; a thrown error is shown at the field. */
  onSave: (content: string) => Promise<void>;
  onCancel: () => void;
}

/**
 * Editing a post's or a comment's text in place: it takes focus with the
 * caret at the end, Escape or "Cancel" backs out, and an unchanged text
 * saves nothing.
 */
export function TextEditor({ initial, label, hint, max, rows, onSave, onCancel }: TextEditorProps) {
  const [content, setContent] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();

  useEffect(() => {
    const el = textRef.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const problem = contentProblem(content, max);

  async function save() {
    if (saving || problem !== null) return;
    if (content.trim() === initial) {
      onCancel();
      return;
    }
    if (hasControlCharacters(content)) {
      setError(CONTROL_CHARACTERS_MESSAGE);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onSave(content.trim());
    } catch (e) {
      setSaving(false);
      if (isApiError(e) && e.code === 'session_expired') return;
      setError(errorMessage(e));
    }
  }

  return (
    <EditForm saving={saving} blocked={problem !== null} onSave={() => void save()} onCancel={onCancel}>
      <ContentField
        id={`edit-${fieldId}`}
        ref={textRef}
        label={label}
        value={content}
        max={max}
        rows={rows}
        onValueChange={(value) => {
          setContent(value);
          setError(null);
        }}
        error={error}
      />
      {hint ? <p className="field__hint">{hint}</p> : null}
    </EditForm>
  );
}
