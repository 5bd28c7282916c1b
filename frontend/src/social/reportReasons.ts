import { REPORT_REASONS, type ReportReason } from '../api/types';

/** The reasons in the order the report form offers them, in words. */
export const REASON_LABELS: Record<ReportReason, string> = {
  spam: 'Spam',
  harassment: 'Harassment or bullying',
  hate: 'Hate',
  violence_or_self_harm: 'Violence or self-harm',
  sexual_content: 'Sexual content',
  impersonation: 'Impersonation',
  other: 'Something else',
};

export const REASON_OPTIONS: readonly { value: ReportReason; label: string }[] = REPORT_REASONS.map((value) => ({
  value,
  label: REASON_LABELS[value],
}));

/** A reason's words; one this screen does not know yet shows as sent. */
export function reasonLabel(reason: string): string {
  return (REASON_LABELS as Partial<Record<string, string>>)[reason] ?? reason;
}

/** The longest note a reporter may add, and the longest reason an operator gives. */
export const REPORT_NOTE_MAX = 500;
export const MODERATION_REASON_MAX = 500;
