import { useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { EmailSettings as Settings } from '../api/types';
import { LoadError, Loading } from '../components/LoadState';
import { InlineError } from '../components/Alerts';
import { useLoad } from '../lib/useLoad';
import { useSocialApi } from './SocialContext';

const OPTIONS: { key: keyof Settings; label: string }[] = [
  { key: 'on_request', label: 'Email me when someone asks to connect' },
  { key: 'on_accept', label: 'Email me when my request is accepted' },
];

/** Which events also send an email; each box saves as it is ticked. */
export function EmailSettings() {
  const api = useSocialApi();
  const settings = useLoad('email-settings', (signal) => api.getEmailSettings(signal));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const shown = settings.data;

  async function change(key: keyof Settings, on: boolean) {
    const before = settings.data;
    if (!before) return;
    const wanted = { ...before, [key]: on };
    settings.set(wanted);
    setError(null);
    setNotice('');
    try {
      settings.set(await api.saveEmailSettings(wanted));
      setNotice('Saved.');
    } catch (e) {
      settings.set(before);
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    }
  }

  return (
    <section className="section" aria-labelledby="email-settings-heading">
      <h2 id="email-settings-heading" className="section__title">
        Emails
      </h2>
      {settings.status === 'loading' ? (
        <Loading />
      ) : !shown ? (
        <LoadError message={settings.error ?? ''} onRetry={settings.reload} />
      ) : (
        <div className="checks">
          {OPTIONS.map(({ key, label }) => (
            <label key={key} className="check">
              <input type="checkbox" checked={shown[key]} onChange={(event) => void change(key, event.target.checked)} />
              <span>{label}</span>
            </label>
          ))}
        </div>
      )}
      <InlineError message={error} />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
    </section>
  );
}
