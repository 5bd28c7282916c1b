import { useCallback, useRef, useState } from 'react';
import type { ModerationReport, ReportStatus } from '../api/types';
import { LoadError, LoadMore, Loading } from '../components/LoadState';
import { Page } from '../components/Page';
import { useNowMinute } from '../lib/time';
import { usePagedList, type FetchPage } from '../lib/usePagedList';
import { ReportCard } from '../moderation/ReportCard';
import { useSocialApi } from '../social/SocialContext';

const STATUSES: { value: ReportStatus; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'closed', label: 'Closed' },
];

const LIST_HEADING_ID = 'reports-heading';

/**
 * The moderation desk (/moderation, operators only): the reports people
 * sent, open ones oldest first (the longest waiting on top), closed ones
 * newest first; each with its actions. After an action the list loads again.
 */
export function ModerationPage() {
  const api = useSocialApi();
  const now = useNowMinute();
  const [status, setStatus] = useState<ReportStatus>('open');
  const [notice, setNotice] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const fetchPage = useCallback<FetchPage<ModerationReport>>(
    async (cursor, signal) => {
      const page = await api.listReports(status, cursor, signal);
      return { items: page.reports, nextCursor: page.next_cursor };
    },
    [api, status],
  );
  const list = usePagedList(`reports:${status}`, fetchPage, (r) => r.id);

  return (
    <Page
      title="Moderation"
      width="column"
      intro={
        <p>
          What people reported. The person reported is never told who reported them. Open reports come oldest first;
          closed ones newest first.
        </p>
      }
    >
      <fieldset className="choice">
        <legend className="field__label">Show</legend>
        <div className="segmented">
          {STATUSES.map((option) => (
            <label key={option.value} className="segmented__option">
              <input
                type="radio"
                name="report-status"
                value={option.value}
                checked={status === option.value}
                onChange={() => {
                  setStatus(option.value);
                  setNotice('');
                }}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div role="status" className="live">
        {notice ? <p className="notice notice--info">{notice}</p> : null}
      </div>
      <section className="section section--plain" aria-labelledby={LIST_HEADING_ID}>
        <h2 id={LIST_HEADING_ID} ref={headingRef} className="section__title" tabIndex={-1}>
          {status === 'open' ? 'Open reports' : 'Closed reports'}
        </h2>
        {list.status === 'loading' ? (
          <Loading>Loading reports…</Loading>
        ) : list.status === 'error' ? (
          <LoadError message={list.error ?? ''} onRetry={list.reload} />
        ) : list.items.length === 0 ? (
          <p className="state state--empty">
            {status === 'open' ? 'No open reports. Nothing is waiting.' : 'No closed reports yet.'}
          </p>
        ) : (
          <ul className="plain-list" aria-label={status === 'open' ? 'Open reports' : 'Closed reports'}>
            {list.items.map((report) => (
              <ReportCard
                key={report.id}
                report={report}
                now={now}
                onActed={(message) => {
                  setNotice(message);
                  list.reload();
                  // The card (and the focused button) may go: continue from the list's heading.
                  headingRef.current?.focus();
                }}
              />
            ))}
          </ul>
        )}
        <LoadMore list={list} />
      </section>
    </Page>
  );
}
