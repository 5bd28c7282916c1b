import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { errorMessage, isApiError } from '../api/errors';
import type { ReportReason, ReportTarget, UserRef } from '../api/types';
import { FormError, InlineError, Notice } from '../components/Alerts';
import { Button } from '../components/Button';
import { collectErrors, firstErrorId, hasErrors, type FieldErrors } from '../lib/formErrors';
import { charCount, hasControlCharacters } from '../lib/text';
import { ContentField } from './ContentField';
import { REASON_OPTIONS, REPORT_NOTE_MAX } from './reportReasons';
import { useSocialStore } from './SocialContext';
import { CONTROL_CHARACTERS_MESSAGE } from './TextEditor';

type Field = 'reason' | 'note';

export const CHOOSE_REASON = 'Choose what is wrong.';

interface ReportActionProps {
  target: ReportTarget;
  /** Who it is about: the person, or the author of the post or comment. */
  subject: UserRef;
  /** Offers "Also block @username" (not when they are blocked already). */
  blockable?: boolean;
  /** The Report button's accessible name, e.g. "Report post by @bob". */
  ariaLabel?: string;
  /** The block asked for with the report went through. */
  onBlocked?: () => void;
  /** The confirmation was put away; `blocked`: the subject is blocked now. */
  onDone?: (blocked: boolean) => void;
}

interface Outcome {
  /** The caller had already reported it (409 already_reported): just as good. */
  already: boolean;
  blocked: boolean;
  blockError: string | null;
}

function what(target: ReportTarget, name: string): string {
  switch (target.type) {
    case 'post':
      return `this post by ${name}`;
    case 'comment':
      return `this comment by ${name}`;
    case 'user':
      return name;
  }
}

/**
 * "Report": a short form in place (why, an optional note, and "Also block"),
 * then a calm confirmation. The reported person is not told who reported
 * them; an open report made before counts as done. A block asked for with it
 * follows the report, and its failure leaves the report made.
 */
export function ReportAction({ target, subject, blockable = true, ariaLabel, onBlocked, onDone }: ReportActionProps) {
  const store = useSocialStore();
  const [phase, setPhase] = useState<'closed' | 'open' | 'done'>('closed');
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [alsoBlock, setAlsoBlock] = useState(false);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [blocking, setBlocking] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const lastPhase = useRef(phase);
  const id = useId();
  const ids: Record<Field, string> = { reason: `${id}-reason`, note: `${id}-note` };
  const name = `@${subject.username}`;
  const about = what(target, name);

  useEffect(() => {
    if (phase === 'open') formRef.current?.focus();
    else if (phase === 'done') doneRef.current?.focus();
    else if (lastPhase.current !== 'closed') triggerRef.current?.focus();
    lastPhase.current = phase;
  }, [phase]);

  function open() {
    setReason(null);
    setNote('');
    setAlsoBlock(false);
    setErrors({});
    setOutcome(null);
    setPhase('open');
  }

  function close() {
    if (!sending) setPhase('closed');
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  }

  /** Blocks the subject and mirrors what the block ended; returns the error to show, if any. */
  async function block(): Promise<string | null> {
    try {
      await store.api.block(subject.id);
    } catch (e) {
      return isApiError(e) && e.code === 'session_expired' ? null : errorMessage(e);
    }
    // The block ended any connection and any request between the two.
    store.connectionRemoved(subject.id);
    void store.refreshRequestCounts();
    onBlocked?.();
    return null;
  }

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const text = note.trim();
    const invalid = collectErrors<Field>({
      reason: reason === null ? CHOOSE_REASON : null,
      note:
        charCount(text) > REPORT_NOTE_MAX
          ? `Use at most ${REPORT_NOTE_MAX} characters.`
          : hasControlCharacters(text)
            ? CONTROL_CHARACTERS_MESSAGE
            : null,
    });
    if (reason === null || hasErrors(invalid)) {
      setErrors(invalid);
      const first = firstErrorId(invalid, ids);
      // The reason's error is about the group: focus its first choice.
      const field = first === ids.reason ? formRef.current?.querySelector('input') : first ? document.getElementById(first) : null;
      field?.focus();
      return;
    }
    setErrors({});
    setSending(true);
    let already = false;
    try {
      await store.api.report({ target, reason, ...(text ? { note: text } : {}) });
    } catch (e) {
      if (isApiError(e) && e.code === 'already_reported') {
        already = true;
      } else {
        setSending(false);
        if (!(isApiError(e) && e.code === 'session_expired')) setErrors({ form: errorMessage(e) });
        return;
      }
    }
    const blockError = alsoBlock && blockable ? await block() : null;
    setSending(false);
    setOutcome({ already, blocked: alsoBlock && blockable && blockError === null, blockError });
    setPhase('done');
  }

  async function retryBlock() {
    if (blocking || !outcome) return;
    setBlocking(true);
    const blockError = await block();
    setBlocking(false);
    setOutcome({ ...outcome, blocked: blockError === null, blockError });
  }

  if (phase === 'closed') {
    return (
      <Button ref={triggerRef} variant="quiet" small aria-label={ariaLabel} onClick={open}>
        Report
      </Button>
    );
  }

  if (phase === 'done' && outcome) {
    return (
      <div ref={doneRef} className="confirm confirm--calm report report--done" tabIndex={-1} onKeyDown={onKeyDown}>
        <Notice>
          {outcome.already
            ? `You already reported ${about}; an operator will look at it.`
            : 'Thanks. An operator will look at it.'}{' '}
          {name} is not told who reported them.
          {outcome.blocked ? ` You blocked ${name}: they can no longer see anything you share.` : ''}
        </Notice>
        {outcome.blockError ? <InlineError message={`Blocking ${name} didn’t work. ${outcome.blockError}`} /> : null}
        <div className="actions">
          {outcome.blockError ? (
            <Button small busy={blocking} busyLabel="Blocking…" onClick={() => void retryBlock()}>
              {`Block ${name}`}
            </Button>
          ) : null}
          <Button
            variant="secondary"
            small
            onClick={() => {
              setPhase('closed');
              onDone?.(outcome.blocked);
            }}
          >
            Done
          </Button>
        </div>
      </div>
    );
  }

  const reasonErrorId = errors.reason ? `${ids.reason}-error` : undefined;
  return (
    <form
      ref={formRef}
      className="confirm confirm--calm report"
      noValidate
      tabIndex={-1}
      aria-label={`Report ${about}`}
      onSubmit={(event) => void send(event)}
      onKeyDown={onKeyDown}
    >
      <p className="report__intro">
        Tell the operators who look after Intentional Social. {name} is not told who reported them.
      </p>
      <fieldset id={ids.reason} className="report__reasons" aria-describedby={reasonErrorId}>
        <legend className="field__label">What’s wrong with {target.type === 'user' ? 'this account' : `this ${target.type}`}?</legend>
        <div className="checks">
          {REASON_OPTIONS.map((option) => (
            <label key={option.value} className="check">
              <input
                type="radio"
                name={`${id}-reason`}
                value={option.value}
                checked={reason === option.value}
                aria-invalid={errors.reason ? true : undefined}
                onChange={() => {
                  setReason(option.value);
                  setErrors(({ reason: _, ...rest }) => rest);
                }}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
        {errors.reason ? (
          <p id={reasonErrorId} className="field__error" role="alert">
            {errors.reason}
          </p>
        ) : null}
      </fieldset>
      <ContentField
        id={ids.note}
        label="Anything else the operators should know? (optional)"
        rows={3}
        max={REPORT_NOTE_MAX}
        near={50}
        value={note}
        onValueChange={(value) => {
          setNote(value);
          setErrors(({ note: _, form: __, ...rest }) => rest);
        }}
        error={errors.note}
      />
      {blockable ? (
        <div className="report__block">
          <label className="check">
            <input type="checkbox" checked={alsoBlock} onChange={(event) => setAlsoBlock(event.target.checked)} />
            <span>Also block {name}</span>
          </label>
          {alsoBlock ? (
            <p className="field__hint">
              Any connection and requests between you end. They won’t be able to find you, see your profile or
              anything you share, or ask to connect. They are not told.
            </p>
          ) : null}
        </div>
      ) : null}
      <FormError message={errors.form} />
      <div className="actions">
        <Button type="submit" small busy={sending} busyLabel="Sending…">
          Send report
        </Button>
        <Button variant="secondary" small onClick={close} aria-disabled={sending || undefined}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
