import { useId, useState } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { ModerationReport, ReportResolution } from '../api/types';
import { InlineError } from '../components/Alerts';
import { Button } from '../components/Button';
import { ConfirmAction } from '../components/ConfirmAction';
import { PersonName } from '../components/PersonName';
import { charCount, hasControlCharacters } from '../lib/text';
import { ContentField } from '../social/ContentField';
import { PostText, RelativeTime } from '../social/PostText';
import { MODERATION_REASON_MAX, reasonLabel } from '../social/reportReasons';
import { useSocialApi } from '../social/SocialContext';
import { CONTROL_CHARACTERS_MESSAGE } from '../social/TextEditor';

const TARGET_LABELS: Record<ModerationReport['target']['type'], string> = {
  user: 'Person',
  post: 'Post',
  comment: 'Comment',
};

export const GIVE_A_REASON = 'Give a reason.';

/** What is wrong with an operator's reason or note (1–500 characters when `required`), or null. */
export function reasonProblem(text: string, required: boolean): string | null {
  const value = text.trim();
  if (value === '') return required ? GIVE_A_REASON : null;
  if (charCount(value) > MODERATION_REASON_MAX) return `Use at most ${MODERATION_REASON_MAX} characters.`;
  if (hasControlCharacters(value)) return CONTROL_CHARACTERS_MESSAGE;
  return null;
}

function resolutionText(resolution: ReportResolution | null, type: ModerationReport['target']['type']): string {
  switch (resolution) {
    case 'dismissed':
      return 'Dismissed';
    case 'removed':
      return type === 'comment' ? 'The comment was removed' : 'The post was removed';
    case 'suspended':
      return 'The account was suspended';
    case null:
      return 'Closed';
  }
}

interface ReasonActionProps {
  label: string;
  ariaLabel: string;
  question: string;
  fieldLabel: string;
  hint: string;
  /** A reason is needed (1–500 characters); otherwise the text is an optional note. */
  required: boolean;
  confirmLabel: string;
  busyLabel: string;
  cancelLabel: string;
  variant: 'danger' | 'secondary';
  onConfirm: (text: string) => Promise<void>;
}

/** An action that asks first, in place, with the reason (or note) it is given. */
function ReasonAction({ hint, fieldLabel, required, onConfirm, ...confirm }: ReasonActionProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const fieldId = useId();
  return (
    <ConfirmAction
      {...confirm}
      className="button--small"
      validate={() => {
        const problem = reasonProblem(text, required);
        setError(problem);
        if (problem) document.getElementById(fieldId)?.focus();
        return problem === null;
      }}
      onConfirm={() => onConfirm(text.trim())}
    >
      <ContentField
        id={fieldId}
        label={fieldLabel}
        hint={hint}
        rows={2}
        max={MODERATION_REASON_MAX}
        near={50}
        value={text}
        onValueChange={(value) => {
          setText(value);
          setError(null);
        }}
        error={error}
      />
    </ConfirmAction>
  );
}

function Person({ user }: { user: ModerationReport['subject'] }) {
  return user ? <PersonName user={user} /> : <span className="muted">An account that is gone</span>;
}

interface ReportCardProps {
  report: ModerationReport;
  now: number;
  /** An action went through: `message` says what happened (the list then loads again). */
  onActed: (message: string) => void;
}

/**
 * One report on the moderation desk: why, about whom and what, who sent it
 * and when, their note, the content as it is now; the way it was closed, or
 * the actions for an open one (dismiss, remove, suspend or unsuspend).
 */
export function ReportCard({ report, now, onActed }: ReportCardProps) {
  const api = useSocialApi();
  const headingId = useId();
  const [unsuspending, setUnsuspending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { target, subject, content } = report;
  const type = target.type;
  const name = subject ? `@${subject.username}` : 'the account';
  const open = report.status === 'open';
  const removable = type !== 'user' && content !== null;

  async function unsuspend() {
    if (!subject || unsuspending) return;
    setUnsuspending(true);
    setError(null);
    try {
      await api.unsuspendUser(subject.id);
      onActed(`${name} is no longer suspended.`);
    } catch (e) {
      if (!(isApiError(e) && e.code === 'session_expired')) setError(errorMessage(e));
    } finally {
      setUnsuspending(false);
    }
  }

  async function remove(reason: string) {
    if (type === 'comment') {
      // A comment report always names its post.
      await api.removeComment(target.post_id ?? '', target.id, reason);
      onActed(`The comment was removed. ${name} is emailed the reason.`);
    } else {
      await api.removePost(target.id, reason);
      onActed(`The post was removed. ${name} is emailed the reason.`);
    }
  }

  return (
    <li className="panel report-card">
      <article aria-labelledby={headingId}>
        <h3 id={headingId} className="report-card__title">
          {reasonLabel(report.reason)}
          <span className="muted"> · {TARGET_LABELS[type]}</span>
        </h3>
        <dl className="report-card__facts">
          <div>
            <dt>About</dt>
            <dd>
              <Person user={subject} />
              {report.subject_suspended ? <span className="badge report-card__badge">Suspended</span> : null}
            </dd>
          </div>
          <div>
            <dt>Reported by</dt>
            <dd>
              <Person user={report.reporter} />
            </dd>
          </div>
          <div>
            <dt>When</dt>
            <dd>
              <RelativeTime value={report.created_at} now={now} />
            </dd>
          </div>
          <div>
            <dt>Their note</dt>
            <dd>{report.note ? <PostText text={report.note} /> : <span className="muted">No note</span>}</dd>
          </div>
        </dl>

        <div className="report-card__content">
          <p className="report-card__label">{type === 'user' ? 'Their bio now' : `The ${type} now`}</p>
          {content === null ? (
            <p className="muted">
              {report.resolution === 'removed' ? 'Removed' : 'Gone: deleted, or no longer there.'}
            </p>
          ) : content.text ? (
            <blockquote className="report-card__quote">
              <PostText text={content.text} />
            </blockquote>
          ) : (
            <p className="muted">{type === 'user' ? 'No bio.' : 'No text.'}</p>
          )}
        </div>

        {open ? null : (
          <div className="report-card__closed">
            <p>
              {resolutionText(report.resolution, type)}
              {report.closed_at ? (
                <>
                  {' '}
                  <RelativeTime value={report.closed_at} now={now} />
                </>
              ) : null}
              .
            </p>
            {report.closing_note ? <PostText text={report.closing_note} /> : null}
          </div>
        )}

        <div className="post__actions">
          {open ? (
            <ReasonAction
              label="Dismiss"
              ariaLabel={`Dismiss the report about ${name}`}
              question={`Dismiss this report? Nothing changes for ${name}; the report moves to Closed.`}
              fieldLabel="Note for the record (optional)"
              hint="Up to 500 characters. Only operators see it."
              required={false}
              confirmLabel="Dismiss report"
              busyLabel="Dismissing…"
              cancelLabel="Keep it open"
              variant="secondary"
              onConfirm={async (note) => {
                await api.dismissReport(report.id, note || undefined);
                onActed('The report was dismissed.');
              }}
            />
          ) : null}
          {open && removable ? (
            <ReasonAction
              label={type === 'comment' ? 'Remove comment' : 'Remove post'}
              ariaLabel={`Remove the ${type} by ${name}`}
              question={`Remove this ${type} for everyone? ${name} is emailed the reason you give. This can’t be undone.`}
              fieldLabel="Reason"
              hint={`1–500 characters, sent to ${name}.`}
              required
              confirmLabel={type === 'comment' ? 'Remove comment' : 'Remove post'}
              busyLabel="Removing…"
              cancelLabel="Keep it"
              variant="danger"
              onConfirm={remove}
            />
          ) : null}
          {open && subject && !report.subject_suspended ? (
            <ReasonAction
              label="Suspend"
              ariaLabel={`Suspend ${name}`}
              question={`Suspend ${name}? They can’t sign in until an operator unsuspends them.`}
              fieldLabel="Reason"
              hint="1–500 characters, kept with the report."
              required
              confirmLabel={`Suspend ${name}`}
              busyLabel="Suspending…"
              cancelLabel="Cancel"
              variant="danger"
              onConfirm={async (reason) => {
                await api.suspendUser(subject.id, reason);
                onActed(`${name} is suspended.`);
              }}
            />
          ) : null}
          {subject && report.subject_suspended ? (
            <Button
              variant="secondary"
              small
              busy={unsuspending}
              busyLabel="Unsuspending…"
              aria-label={`Unsuspend ${name}`}
              onClick={() => void unsuspend()}
            >
              Unsuspend
            </Button>
          ) : null}
        </div>
        <InlineError message={error} />
      </article>
    </li>
  );
}
