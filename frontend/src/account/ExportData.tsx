import { useEffect, useRef, useState } from 'react';
import { errorMessage, formatWait, isApiError } from '../api/errors';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { FormError } from '../components/Alerts';
import { Button } from '../components/Button';
import { ExportIncompleteError, collectExport, exportFileName, progressText, saveJsonFile } from './exportData';

/** The button's id, so the deletion section can point at it. */
export const EXPORT_BUTTON_ID = 'export-data-button';
export const EXPORT_HEADING_ID = 'export-data-heading';

/** Calm words for a refusal; a rate limit says when it can be tried again. */
export function exportErrorMessage(error: unknown): string {
  if (isApiError(error) && error.status === 429 && error.retryAfter !== null && error.retryAfter > 0) {
    return `Your data can’t be downloaded again just yet. Please try again in ${formatWait(error.retryAfter)}.`;
  }
  if (error instanceof ExportIncompleteError) return error.message;
  return errorMessage(error);
}

/** The Account screen's "Download my data": every part of the export, merged into one JSON file. */
export function ExportData({ user }: { user: User }) {
  const { api } = useAuth();
  const [pending, setPending] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const running = useRef<AbortController | null>(null);

  // Leaving the screen stops collecting.
  useEffect(() => () => running.current?.abort(), []);

  async function download() {
    if (pending) return;
    const controller = new AbortController();
    running.current = controller;
    setPending(true);
    setError(null);
    setStatus(progressText({}));
    try {
      const document = await collectExport(
        (cursor, signal) => api.exportPart(cursor, signal),
        (counts) => setStatus(progressText(counts)),
        controller.signal,
      );
      const fileName = exportFileName(user.username, new Date());
      saveJsonFile(fileName, document);
      setStatus(`Your data is ready. Your browser is saving it as ${fileName}.`);
    } catch (e) {
      if (controller.signal.aborted) return;
      setStatus('');
      // An ended session is handled by the auth guard (back to sign-in).
      if (isApiError(e) && e.code === 'session_expired') return;
      setError(exportErrorMessage(e));
    } finally {
      if (!controller.signal.aborted) setPending(false);
      running.current = null;
    }
  }

  return (
    <section className="section" aria-labelledby={EXPORT_HEADING_ID}>
      <h2 id={EXPORT_HEADING_ID} className="section__title">
        Your data
      </h2>
      <p className="muted">
        Download a copy of everything in your account as one file (JSON): your profile, posts, comments, reactions,
        connections, tags, requests and settings.
      </p>
      <div role="status" className="live">
        {status ? <p className="notice notice--info break">{status}</p> : null}
      </div>
      <FormError message={error} />
      <div className="actions">
        <Button
          id={EXPORT_BUTTON_ID}
          variant="secondary"
          busy={pending}
          busyLabel="Preparing your data…"
          onClick={() => void download()}
        >
          Download my data
        </Button>
      </div>
    </section>
  );
}
